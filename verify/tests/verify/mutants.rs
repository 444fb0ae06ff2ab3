//! Behaviours pinned after mutation testing (`cargo mutants -p nectar-lifecycle-verify`). A
//! mutant of `Display for Header` returning nothing survived an earlier run; the doc test on
//! `Header` catches it now, and this test pins it in the test binary too (`cargo test
//! --tests` and runners without doc tests).

use nectar_lifecycle_verify::{Header, VerifyError};

// `<impl Display for Header>::fmt` -> `Ok(())`.
#[test]
fn a_header_displays_as_its_svix_name_as_the_errors_about_it_do() {
    let shown: Vec<String> = Header::ALL.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["svix-id", "svix-timestamp", "svix-signature"]);
    for header in Header::ALL {
        for err in [
            VerifyError::MissingHeader(header),
            VerifyError::DuplicateHeader(header),
        ] {
            let message = err.to_string();
            assert!(message.contains(&format!("`{header}`")), "{message}");
        }
    }
}
