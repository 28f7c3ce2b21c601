//! Named limits. Device-side limits come from the G-SDK V1.8.0 protos; relay-side limits protect
//! the relay and the gateway and are answered with a `limitExceeded` protocol error.

/// T&A keys per device: KEY_1 ..= KEY_16 (`tna.Key.MAX_TNA_KEYS`).
pub const MAX_TNA_KEYS: usize = 16;
/// Bytes of UTF-8 in one T&A key label (`tna.Key.MAX_TNA_LABEL_LENGTH`).
pub const MAX_TNA_LABEL_BYTES: usize = 48;
/// Job codes one user may hold (`user.Enum.MAX_JOB_CODES`).
pub const MAX_JOB_CODES_PER_USER: usize = 16;
/// Bytes of UTF-8 in one job-code label (`user.Enum.MAX_JOB_LABEL_LENGTH`).
pub const MAX_JOB_LABEL_BYTES: usize = 48;
/// Characters in one job-code label (the API documentation: "max 16 characters in UTF-8").
pub const MAX_JOB_LABEL_CHARS: usize = 16;
/// Bytes in a user ID (G-SDK user documentation).
pub const MAX_USER_ID_BYTES: usize = 32;
/// The predefined schedule every device has: "Always" (`schedule.PredefinedSchedule.ALWAYS`).
pub const SCHEDULE_ALWAYS: u32 = 1;

/// Largest `limit` of one `tna.getLog` / `tna.getJobCodeLog` page. Bounded so a page always
/// finishes well inside the gateway's 20 s transfer timeout (`long_cmd`).
pub const MAX_LOG_PAGE: u32 = 5_000;
/// Largest number of device IDs in one call (one gateway manages about 1,000 devices).
pub const MAX_DEVICES_PER_CALL: usize = 1_000;
/// Largest number of users in one `jobCodes.set` / `jobCodes.setMulti` call.
pub const MAX_USERS_PER_CALL: usize = 1_000;
/// Largest `limit` of one `users.list` page.
pub const MAX_USERS_PAGE: u32 = 1_000;
/// Characters in a `users.list` search.
pub const MAX_USER_QUERY_CHARS: usize = 64;
/// Largest WebSocket text frame the relay accepts from a client.
pub const MAX_FRAME_BYTES: usize = 1024 * 1024;
/// Requests one socket may have in flight at once.
pub const MAX_IN_FLIGHT_PER_SOCKET: usize = 32;
/// Bytes of frames the relay holds for one socket that have not been written to it yet (the
/// socket's outbox). A reply that does not fit is answered with `limitExceeded` instead; a
/// client that reads nothing is closed after the relay's write timeout.
pub const MAX_OUTBOX_BYTES: usize = 8 * 1024 * 1024;
/// Open WebSockets one signed-in session may hold (tabs of one browser share a session).
pub const MAX_SOCKETS_PER_SESSION: usize = 16;
/// Open WebSockets from one client address (the address the sign-in limit counts).
pub const MAX_SOCKETS_PER_CLIENT: usize = 64;
/// Characters in a device's name (`devices.setInfo`).
pub const MAX_DEVICE_NAME_CHARS: usize = 64;
/// Characters in a device's location.
pub const MAX_DEVICE_LOCATION_CHARS: usize = 128;
/// Tags on one device.
pub const MAX_DEVICE_TAGS: usize = 16;
/// Characters in one device tag.
pub const MAX_DEVICE_TAG_CHARS: usize = 32;
