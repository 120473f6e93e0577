//! Layer-W's derive macros. Use them through `layerw_engine::platform` or `layerw::prelude`,
//! which re-export each derive next to the trait it implements (one `use` brings both).
#![warn(missing_docs)]

mod action;

use proc_macro::TokenStream;

/// Implements `Action` for an enum whose variants are all unit variants: `ALL` lists the
/// variants in declaration order, `name` is the variant's name in snake_case (`GrabCursor`
/// becomes `"grab_cursor"`) unless `#[action(name = "...")]` says otherwise.
///
/// The generated impl names the trait as `Action`, so the trait must be in scope where the
/// derive is used: importing the derive from `layerw::prelude` or `layerw_engine::platform`
/// imports the trait with it. A struct, a union, a variant with fields, an unknown attribute
/// key or two variants with the same name is a compile error pointing at the culprit.
#[proc_macro_derive(Action, attributes(action))]
pub fn derive_action(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    action::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
