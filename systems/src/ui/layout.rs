//! [`layout_ui`]: labels and menus to the quads of the [`UiDrawList`].

use glam::Vec2;
use layerw_engine::asset::{Assets, Handle};
use layerw_engine::platform::Window;
use layerw_engine::schedule::System;
use layerw_engine::text::{AtlasError, Font, GlyphAtlas, UiDrawList, UiQuad, layout_text};

use super::{UiFont, UiLabel, UiMenu};

/// Lays every [`UiLabel`] and [`UiMenu`] out into the [`UiDrawList`] resource, rasterising
/// new glyphs into the [`GlyphAtlas`] resource (Render stage; the GPU renderer draws the list
/// after the frame's stages). Labels come first, then menus; within each, the order of the
/// world's entities. Positions are in the [`Window`]'s internal resolution; menus remember
/// their buttons' rectangles for the mouse. Widgets whose font is not loaded yet are skipped.
/// A full atlas is cleared and the frame laid out again.
pub fn layout_ui() -> System {
    System::new("layout_ui", |ctx| {
        let fonts = ctx.resource::<Assets<Font>>();
        let default_font = ctx.try_resource::<UiFont>().ok().map(|f| f.0);
        let screen = ctx
            .try_resource::<Window>()
            .map_or(Vec2::new(1280.0, 720.0), |w| {
                w.internal_resolution().as_vec2()
            });
        let mut atlas = ctx.resource_mut::<GlyphAtlas>();
        let mut quads = Vec::new();
        let draw_all = |atlas: &mut GlyphAtlas, quads: &mut Vec<UiQuad>| {
            quads.clear();
            for label in ctx.query::<&UiLabel>().iter() {
                let Some((handle, font)) = font_of(&fonts, label.font.or(default_font)) else {
                    continue;
                };
                draw_label(label, handle, font, atlas, screen, quads)?;
            }
            for menu in ctx.query::<&mut UiMenu>().iter() {
                let Some((handle, font)) = font_of(&fonts, menu.font.or(default_font)) else {
                    continue;
                };
                draw_menu(menu, handle, font, atlas, screen, quads)?;
            }
            Ok::<(), AtlasError>(())
        };
        if let Err(e) = draw_all(&mut atlas, &mut quads) {
            tracing::warn!("{e}; clearing the glyph atlas");
            atlas.clear();
            if let Err(e) = draw_all(&mut atlas, &mut quads) {
                tracing::error!("UI not drawn: {e}");
                quads.clear();
            }
        }
        ctx.resource_mut::<UiDrawList>().quads = quads;
    })
    .reads_resource::<Assets<Font>>()
    .reads_resource::<UiFont>()
    .reads_resource::<Window>()
    .reads::<UiLabel>()
    .writes::<UiMenu>()
    .writes_resource::<GlyphAtlas>()
    .writes_resource::<UiDrawList>()
}

fn font_of(fonts: &Assets<Font>, handle: Option<Handle<Font>>) -> Option<(Handle<Font>, &Font)> {
    let handle = handle?;
    fonts.get(handle).map(|font| (handle, font))
}

fn draw_label(
    label: &UiLabel,
    handle: Handle<Font>,
    font: &Font,
    atlas: &mut GlyphAtlas,
    screen: Vec2,
    quads: &mut Vec<UiQuad>,
) -> Result<(), AtlasError> {
    let block = layout_text(handle, font, atlas, &label.text, &label.style)?;
    let padding = if label.background[3] > 0 {
        Vec2::new(10.0, 4.0)
    } else {
        Vec2::ZERO
    };
    let outer = block.size + 2.0 * padding;
    let origin = label.anchor.place(outer, screen, label.offset);
    if label.background[3] > 0 {
        quads.push(UiQuad::solid(
            [origin.x, origin.y, outer.x, outer.y],
            label.background,
        ));
    }
    quads.extend(block.placed_at(origin + padding));
    Ok(())
}

fn draw_menu(
    menu: &mut UiMenu,
    handle: Handle<Font>,
    font: &Font,
    atlas: &mut GlyphAtlas,
    screen: Vec2,
    quads: &mut Vec<UiQuad>,
) -> Result<(), AtlasError> {
    let style = menu.style;
    let blocks = (0..menu.items.len())
        .map(|i| layout_text(handle, font, atlas, &menu.items[i], &menu.item_style(i)))
        .collect::<Result<Vec<_>, _>>()?;
    let line = f32::from(style.size.max(1));
    let text_width = blocks.iter().map(|b| b.size.x).fold(0.0, f32::max);
    let text_height = blocks.iter().map(|b| b.size.y).fold(line, f32::max);
    let button = Vec2::new(
        (text_width + 2.0 * style.padding.x).max(style.min_width),
        text_height + 2.0 * style.padding.y,
    );
    let count = blocks.len() as f32;
    let size = Vec2::new(
        button.x,
        count * button.y + (count - 1.0).max(0.0) * style.spacing,
    );
    let origin = menu.anchor.place(size, screen, menu.offset);
    menu.rects.clear();
    for (i, block) in blocks.iter().enumerate() {
        let top = origin.y + i as f32 * (button.y + style.spacing);
        let rect = [origin.x, top, button.x, button.y];
        menu.rects.push(rect);
        let color = if i == menu.focused {
            style.focused_button
        } else {
            style.button
        };
        quads.push(UiQuad::solid(rect, color));
        let text = Vec2::new(
            origin.x + ((button.x - block.size.x) / 2.0).round(),
            top + ((button.y - block.size.y) / 2.0).round(),
        );
        quads.extend(block.placed_at(text));
    }
    Ok(())
}
