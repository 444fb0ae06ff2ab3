//! What each status asks of an integrator: check policy, remediation, invitations, and the
//! promise that none of it allocates.

mod account_remediation;
mod allocation;
mod check_policy;
mod invitations;
mod remediation;
