//! The library starts no threads the caller did not ask for: building an engine outside a rayon
//! pool compiles the grammar on the calling thread. (A file of its own: the test needs a process
//! whose global pool nothing else has started.)

#[test]
fn building_an_engine_outside_a_pool_starts_no_global_pool() {
    vanban::Engine::new().unwrap();
    let started = rayon::ThreadPoolBuilder::new().num_threads(1).build_global().is_err();
    assert!(!started, "Engine::new started rayon's global pool");
}
