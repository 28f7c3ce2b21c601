//! Typed calls for accounts and kiosk enrolment (admin), beside [`super::methods`].

use tna_types::Role;
use tna_types::protocol::method::{
    AccountsCreate, AccountsDelete, AccountsList, AccountsSetPassword, AccountsSetRole, KioskList,
    KioskPair, KioskRevoke,
};
use tna_types::protocol::{
    AccountInfo, CreateAccountParams, KioskInfo, KioskNameParams, KioskPairParams, KioskScope,
    NoParams, PairingResult, Password, SetPasswordParams, SetRoleParams, UsernameParams,
};

use super::{ApiClient, ApiError};

impl ApiClient {
    /// `accounts.list`.
    pub async fn list_accounts(self) -> Result<Vec<AccountInfo>, ApiError> {
        Ok(self.call::<AccountsList>(NoParams {}).await?.accounts)
    }

    /// `accounts.create`.
    pub async fn create_account(
        self,
        username: String,
        password: String,
        role: Role,
    ) -> Result<(), ApiError> {
        self.call::<AccountsCreate>(CreateAccountParams {
            username,
            password: Password(password),
            role,
        })
        .await
        .map(|_| ())
    }

    /// `accounts.setRole`.
    pub async fn set_role(self, username: String, role: Role) -> Result<(), ApiError> {
        self.call::<AccountsSetRole>(SetRoleParams { username, role })
            .await
            .map(|_| ())
    }

    /// `accounts.setPassword`.
    pub async fn set_password(self, username: String, password: String) -> Result<(), ApiError> {
        self.call::<AccountsSetPassword>(SetPasswordParams {
            username,
            password: Password(password),
        })
        .await
        .map(|_| ())
    }

    /// `accounts.delete`.
    pub async fn delete_account(self, username: String) -> Result<(), ApiError> {
        self.call::<AccountsDelete>(UsernameParams { username })
            .await
            .map(|_| ())
    }

    /// `kiosk.list`: the paired tablets.
    pub async fn list_kiosks(self) -> Result<Vec<KioskInfo>, ApiError> {
        Ok(self.call::<KioskList>(NoParams {}).await?.kiosks)
    }

    /// `kiosk.revoke`: unpairs a tablet (its session ends at once).
    pub async fn revoke_kiosk(self, name: String) -> Result<(), ApiError> {
        self.call::<KioskRevoke>(KioskNameParams { name })
            .await
            .map(|_| ())
    }

    /// `kiosk.pair`: a one-time code for a tablet that may show `scope`.
    pub async fn kiosk_pair(
        self,
        name: String,
        scope: KioskScope,
    ) -> Result<PairingResult, ApiError> {
        self.call::<KioskPair>(KioskPairParams { name, scope })
            .await
    }
}
