//! Time expressions (thời gian thực hiện) normalized to intervals.
