//! The page groups, one file each.

pub mod review_form;
pub mod session_detail;
