//! `rtctl plan`: capacity sizing. `plan()` is pure: a `Fleet` (with a measured node profile
//! already applied, see `profile::apply`) and sizing options in, a `PlanReport` out. The flags
//! and the fleet file are resolved at the edge (`cli_adapter.rs`).
//!
//! Inside, imports point down: `report` → `guide` → `model`; `numbers` → `model` → `math`,
//! `profile`.

mod guide;
pub mod math;
mod model;
mod numbers;
pub mod profile;
mod report;

use crate::error::Result;
use crate::fleet::{Fleet, GatewayKind};

pub use model::{FailureNumbers, PlanNumbers, PlanReport, Sizing, GUIDE_NAT_IP};
pub(crate) use numbers::shares;

/// Default seconds until devices of a failed node can connect again, per gateway: nginx retries
/// the next peer at once on a refused connect (`proxy_next_upstream error`, `max_fails=1`);
/// Kong and HAProxy wait for active health checks (as `render-kong` and `render-haproxy`
/// configure them: Kong every 5 s, 3 failures; HAProxy `inter 2s fall 3`).
pub fn default_outage_secs(kind: GatewayKind) -> f64 {
    match kind {
        GatewayKind::Nginx => 0.0,
        GatewayKind::Kong => 15.0,
        GatewayKind::Haproxy => 6.0,
    }
}

/// Size the fleet: the numbers only.
pub fn calculate(fleet: &Fleet, sizing: &Sizing) -> Result<PlanNumbers> {
    sizing.validate()?;
    numbers::calculate(fleet, sizing)
}

/// Size the fleet: the numbers, put into words (warnings, the answer's reason, the comparison
/// with the guide, the formulas with `explain`).
pub fn plan(fleet: &Fleet, sizing: &Sizing) -> Result<PlanReport> {
    let numbers = calculate(fleet, sizing)?;
    Ok(report::present(fleet, sizing, &numbers))
}
