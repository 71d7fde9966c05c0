//! One integration-test binary (one link step on a 2-core CI).
