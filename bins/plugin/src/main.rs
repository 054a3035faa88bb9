//! `haloitsm-plugin`: the InsightConnect plugin binary (see the library's `cli` module).

fn main() -> std::process::ExitCode {
    haloitsm_plugin::cli::main()
}
