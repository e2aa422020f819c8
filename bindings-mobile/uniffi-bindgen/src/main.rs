//! `uniffi-bindgen`: the workspace-local bindings generator (uniffi's documented pattern).

fn main() {
    uniffi::uniffi_bindgen_main()
}
