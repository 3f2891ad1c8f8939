//! The checked-in bindings are exactly what the generators produce from
//! `devian_ws::ffi_inventory()`. Run with `DEVIAN_BLESS=1` to rewrite them
//! after changing the ABI.

use devian_ws::{ffi_inventory, DwsStatus};
use interoptopus::writer::IndentWriter;
use interoptopus::Interop;
use std::path::{Path, PathBuf};

const CSHARP: &str = "unity-package/Runtime/Devian.Network/Native/Interop.g.cs";
const HEADER: &str = "native/ffi/include/devian_ws.h";
const DLL: &str = "devian_ws";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn render(generator: &impl Interop) -> String {
    let mut out = Vec::new();
    generator
        .write_to(&mut IndentWriter::new(&mut out))
        .expect("generator runs");
    String::from_utf8(out).expect("generators write UTF-8")
}

/// Replaces `from` by `to` in `text`, insisting it occurs exactly once, so a
/// generator change that breaks a post-processing step fails here loudly.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "expected exactly one {from:?} in the generated text"
    );
    text.replacen(from, to, 1)
}

/// interoptopus 0.14 cannot express negative enum values; `DwsStatus`
/// reports magnitudes and this restores the signs.
fn restore_negative_statuses(
    mut text: String,
    variant_line: impl Fn(&str, i64) -> String,
) -> String {
    for s in DwsStatus::ALL.iter().filter(|s| (**s as i32) < 0) {
        let value = i64::from(*s as i32);
        text = replace_once(
            &text,
            &variant_line(s.name(), -value),
            &variant_line(s.name(), value),
        );
    }
    text
}

fn csharp() -> String {
    use interoptopus::util::NamespaceMappings;
    use interoptopus_backend_csharp::overloads::{DotNet, Unity};
    use interoptopus_backend_csharp::{Config, Generator, ParamSliceType, Unsafe};

    let config = Config {
        file_header_comment: "// Generated from native/ffi by tests/bindings.rs (interoptopus 0.14). Do not edit;\n// regenerate with: DEVIAN_BLESS=1 cargo test -p devian-ws-ffi --test bindings".into(),
        class: "Interop".into(),
        dll_name: DLL.into(),
        namespace_mappings: NamespaceMappings::new("Devian.Network.Native"),
        use_unsafe: Unsafe::UnsafePlatformMemCpy,
        param_slice_type: ParamSliceType::Array,
        // Keep the C names (`Interop.dws_client_poll`, `ev.message_kind`):
        // they are the agreed ABI the hand-written C# codes against.
        rename_symbols: false,
        // The P/Invoke layer is an implementation detail of Transports.NativeTransport.
        visibility_types: interoptopus_backend_csharp::CSharpVisibility::ForceInternal,
        ..Config::default()
    };
    let mut generator = Generator::new(config, ffi_inventory());
    generator
        .add_overload_writer(DotNet::new())
        .add_overload_writer(Unity::new());
    let text = render(&generator);
    // iOS links the library statically, and on WebGL the `dws_*` functions
    // are the .jslib's (devian-ws.jslib, over the browser's WebSocket), linked
    // into the player: P/Invoke must name "__Internal" on both.
    let text = replace_once(
        &text,
        &format!("        public const string NativeLib = \"{DLL}\";\n"),
        &format!(
            "#if (UNITY_IOS || UNITY_WEBGL) && !UNITY_EDITOR\n        public const string NativeLib = \"__Internal\";\n#else\n        public const string NativeLib = \"{DLL}\";\n#endif\n"
        ),
    );
    // `ForceInternal` misses these two; nothing of the P/Invoke layer is public.
    let text = replace_once(
        &text,
        "    public enum DwsStatus",
        "    internal enum DwsStatus",
    );
    let text = replace_once(
        &text,
        "    public class InteropException<T>",
        "    internal class InteropException<T>",
    );
    let text = utf8_strings(&text);
    restore_negative_statuses(text, |name, v| format!("        {name} = {v},\n"))
}

/// Every string the ABI takes is UTF-8, but .NET marshals a plain `string`
/// with the ANSI code page on Windows; `Interop.Utf8` (Native/Interop.Utf8.cs)
/// names the marshaling that sends UTF-8 on every runtime.
fn utf8_strings(text: &str) -> String {
    let mut count = 0;
    let out: Vec<String> = text
        .lines()
        .map(|line| {
            if !line.contains("public static extern") {
                return line.to_string();
            }
            let (head, params) = line.split_once('(').expect("an extern has parameters");
            let params = params
                .split(", ")
                .map(|p| match p.strip_prefix("string ") {
                    Some(name) => {
                        count += 1;
                        format!("[MarshalAs(Utf8)] string {name}")
                    }
                    None => p.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!("{head}({params}")
        })
        .collect();
    assert!(
        count > 0,
        "no string parameter found: the generator changed"
    );
    out.join("\n") + "\n"
}

fn header() -> String {
    use interoptopus_backend_c::{CDocumentationStyle, CNamingStyle, Config, Generator};

    let config = Config {
        file_header_comment: "// Generated from native/ffi by tests/bindings.rs (interoptopus 0.14). Do not edit;\n// regenerate with: DEVIAN_BLESS=1 cargo test -p devian-ws-ffi --test bindings".into(),
        ifndef: "DEVIAN_WS_H".into(),
        documentation: CDocumentationStyle::Inline,
        type_naming: CNamingStyle::UpperCamelCase,
        enum_variant_naming: CNamingStyle::ShoutySnakeCase,
        ..Config::default()
    };
    let text = render(&Generator::new(config, ffi_inventory()));
    // In C (unlike C++) a namespace-scope `const` has external linkage: the
    // header would define the constants in every file that includes it.
    let text = text.replace("\nconst uint32_t ", "\nstatic const uint32_t ");
    // `()` declares unspecified parameters in C; the function takes none.
    let text = replace_once(&text, " dws_shutdown_all();", " dws_shutdown_all(void);");
    restore_negative_statuses(text, |name, v| {
        format!("    DWS_STATUS_{} = {v},\n", shouty(name))
    })
}

/// `InvalidHandle` → `INVALID_HANDLE`, as the C generator spells variants.
fn shouty(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// Compares `generated` with the checked-in file, or rewrites it under `DEVIAN_BLESS=1`.
fn check(relative: &str, generated: &str) {
    let path = root().join(relative);
    if std::env::var_os("DEVIAN_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("create dir");
        std::fs::write(&path, generated).expect("write bindings");
        return;
    }
    let on_disk = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{relative}: {e}; generate it with DEVIAN_BLESS=1"));
    assert!(
        on_disk == generated,
        "{relative} is out of date with the Rust ABI; regenerate with DEVIAN_BLESS=1 cargo test -p devian-ws-ffi --test bindings"
    );
}

#[test]
fn csharp_bindings_are_up_to_date() {
    check(CSHARP, &csharp());
}

#[test]
fn c_header_is_up_to_date() {
    check(HEADER, &header());
}

/// Every `extern "C" fn dws_*` in the sources, found by reading them.
fn exported_symbols() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read source");
                for line in text.lines() {
                    if let Some(rest) = line.split("extern \"C\" fn ").nth(1) {
                        let name: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if name.starts_with("dws_") {
                            out.push(name);
                        }
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out.sort();
    out
}

#[test]
fn every_exported_function_is_in_the_inventory_and_both_bindings() {
    let symbols = exported_symbols();
    // The agreed ABI (issue 3); adding a function is fine, losing one is not.
    let agreed = [
        "dws_last_error",
        "dws_options_default",
        "dws_client_new",
        "dws_client_add_protocol",
        "dws_client_add_header",
        "dws_client_set_origin",
        "dws_client_set_proxy",
        "dws_client_set_proxy_from_env",
        "dws_client_add_root_ca_pem",
        "dws_client_pin_sha256",
        "dws_client_dangerous_accept_any_certificate",
        "dws_client_set_reconnect_codes",
        "dws_client_set_auth_query",
        "dws_client_set_auth_first_message",
        "dws_client_set_auth_subprotocol",
        "dws_client_set_auth_header",
        "dws_client_connect",
        "dws_client_send",
        "dws_client_send_reserve",
        "dws_client_send_commit",
        "dws_client_send_abort",
        "dws_client_wait",
        "dws_client_poll",
        "dws_client_release",
        "dws_client_close",
        "dws_client_state",
        "dws_client_stats",
        "dws_client_protocol",
        "dws_client_free",
        "dws_list",
        "dws_shutdown_all",
    ];
    for a in agreed {
        assert!(
            symbols.iter().any(|s| s == a),
            "agreed symbol {a} is not exported"
        );
    }
    let inventory: Vec<String> = ffi_inventory()
        .functions()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let (cs, h) = (csharp(), header());
    for s in &symbols {
        assert!(
            inventory.contains(s),
            "{s} is exported but not registered in ffi_inventory()"
        );
        assert!(
            cs.contains(&format!("EntryPoint = \"{s}\"")),
            "{s} missing from the C# bindings"
        );
        assert!(
            h.contains(&format!(" {s}(")),
            "{s} missing from the C header"
        );
    }
    assert_eq!(
        inventory.len(),
        symbols.len(),
        "inventory lists a function the sources do not export"
    );
}

#[test]
fn csharp_dll_name_is_internal_on_ios_and_webgl_players() {
    let cs = csharp();
    assert!(
        !cs.contains("UNITY_WEBGL && !UNITY_EDITOR)\n#pragma"),
        "the bindings serve WebGL players too (through devian-ws.jslib)"
    );
    let start = cs
        .find("#if (UNITY_IOS || UNITY_WEBGL) && !UNITY_EDITOR")
        .expect("conditional present");
    let block = &cs[start..cs[start..].find("#endif").expect("closed") + start];
    let internal = block.find("\"__Internal\"").expect("internal branch");
    let plain = block.find(&format!("\"{DLL}\"")).expect("plain branch");
    assert!(
        internal < block.find("#else").expect("else") && plain > block.find("#else").expect("else")
    );
}

#[test]
fn negative_statuses_keep_their_sign_in_both_bindings() {
    let (cs, h) = (csharp(), header());
    assert!(cs.contains("        InvalidHandle = -1,\n"));
    assert!(cs.contains("        Internal = -9,\n"));
    assert!(cs.contains("        Empty = 1,\n"));
    assert!(h.contains("DWS_STATUS_INVALID_HANDLE = -1,"));
}

/// The header compiles cleanly as C99 and as C++ (e.g. no C++ keywords as
/// parameter names, no duplicate definitions), using the C compiler Rust
/// itself links with.
#[test]
fn c_header_compiles_as_c_and_cpp() {
    let dir = std::env::temp_dir().join(format!("devian_ws_header_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("devian_ws.h"), header()).expect("write header");
    let src = dir.join("use.c");
    std::fs::write(
        &src,
        "#include \"devian_ws.h\"\nint probe(void) { DwsEvent e; DwsOptions o; (void)e; (void)o; return DWS_STATUS_INVALID_HANDLE + (int)DWS_EVENT_MESSAGE; }\n",
    )
    .expect("write source");
    for lang in [["-x", "c", "-std=c99"], ["-x", "c++", "-std=c++11"]] {
        let out = std::process::Command::new("cc")
            .args(lang)
            .args(["-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only"])
            .arg(&src)
            .output()
            .expect("cc runs (it is the linker Rust uses here)");
        assert!(
            out.status.success(),
            "{lang:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
