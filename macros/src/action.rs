//! `#[derive(Action)]`: `ALL` and `name` for a unit-only enum.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr};

/// The impl, or the first thing that makes the input unfit.
pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let data = match &input.data {
        Data::Enum(data) => data,
        Data::Struct(data) => {
            return Err(syn::Error::new(
                data.struct_token.span,
                "`Action` can only be derived for an enum of unit variants, not a struct",
            ));
        }
        Data::Union(data) => {
            return Err(syn::Error::new(
                data.union_token.span,
                "`Action` can only be derived for an enum of unit variants, not a union",
            ));
        }
    };
    let mut variants = Vec::with_capacity(data.variants.len());
    let mut names: Vec<(String, proc_macro2::Span)> = Vec::with_capacity(data.variants.len());
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            return Err(syn::Error::new_spanned(
                &variant.fields,
                format!(
                    "`Action` needs unit variants: `{}` has fields",
                    variant.ident
                ),
            ));
        }
        let (name, span) = match rename(&variant.attrs)? {
            Some(lit) => (lit.value(), lit.span()),
            None => (snake_case(&variant.ident.to_string()), variant.ident.span()),
        };
        if name.is_empty() {
            return Err(syn::Error::new(span, "an action's name cannot be empty"));
        }
        if let Some((_, first)) = names.iter().find(|(seen, _)| *seen == name) {
            let mut error = syn::Error::new(
                span,
                format!("two actions are named \"{name}\": names must be unique"),
            );
            error.combine(syn::Error::new(*first, "first used here"));
            return Err(error);
        }
        variants.push(&variant.ident);
        names.push((name, span));
    }
    let ty = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let name_strings = names.iter().map(|(name, _)| name);
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics Action for #ty #ty_generics #where_clause {
            const ALL: &'static [Self] = &[#(Self::#variants),*];

            fn name(self) -> &'static str {
                match self {
                    #(Self::#variants => #name_strings,)*
                }
            }
        }
    })
}

/// The name given by `#[action(name = "...")]`, if any.
fn rename(attrs: &[syn::Attribute]) -> syn::Result<Option<LitStr>> {
    let mut name = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("action")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                if name.is_some() {
                    return Err(meta.error("`name` given twice"));
                }
                name = Some(meta.value()?.parse::<LitStr>()?);
                Ok(())
            } else {
                Err(meta.error("unknown `action` attribute: expected `name = \"...\"`"))
            }
        })?;
    }
    Ok(name)
}

/// `GrabCursor` -> `grab_cursor`, `HTTPServer` -> `http_server`, `Slot2` -> `slot2`.
pub(crate) fn snake_case(ident: &str) -> String {
    let chars: Vec<char> = ident.chars().collect();
    let mut out = String::with_capacity(ident.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            // A word starts at a capital after a lower-case letter or a digit, and at the
            // last capital of an acronym followed by a lower-case letter (HTTPServer).
            let starts_word = prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(char::is_uppercase) && next.is_some_and(|n| n.is_lowercase()));
            if starts_word && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn snake_case_splits_words_acronyms_and_keeps_digits() {
        assert_eq!(snake_case("Move"), "move");
        assert_eq!(snake_case("GrabCursor"), "grab_cursor");
        assert_eq!(snake_case("HTTPServer"), "http_server");
        assert_eq!(snake_case("OpenUI"), "open_ui");
        assert_eq!(snake_case("Slot2"), "slot2");
        assert_eq!(snake_case("Slot2Use"), "slot2_use");
        assert_eq!(snake_case("Already_Snake"), "already_snake");
    }
}
