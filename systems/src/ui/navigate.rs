//! [`navigate_menus`]: focus and activation from the [`UiAction`]s and the mouse.

use layerw_engine::ecs::Entity;
use layerw_engine::platform::{ActionState, Mouse, MouseButton};
use layerw_engine::schedule::System;

use super::{MenuActivated, UiAction, UiMenu};

/// Moves every [`UiMenu`]'s focus and sends [`MenuActivated`] (Update stage):
/// [`UiAction::Previous`]/[`UiAction::Next`] move the focus up and down (wrapping around),
/// [`UiAction::Activate`] chooses the focused item; the cursor focuses the item it moves
/// onto, and a left click chooses the item under it. Positions come from the menu's last
/// layout ([`layout_ui`](super::layout_ui)).
pub fn navigate_menus() -> System {
    System::new("navigate_menus", |ctx| {
        let actions = ctx.resource::<ActionState<UiAction>>();
        let mouse = ctx.resource::<Mouse>();
        let cursor = mouse.internal_position();
        let clicked = mouse.just_pressed(MouseButton::Left);
        let mut chosen: Vec<MenuActivated> = Vec::new();
        for (entity, menu) in ctx.query::<(Entity, &mut UiMenu)>().iter() {
            let count = menu.items.len();
            if count == 0 {
                continue;
            }
            menu.focused = menu.focused.min(count - 1);
            if actions.just_pressed(UiAction::Previous) {
                menu.focused = (menu.focused + count - 1) % count;
            }
            if actions.just_pressed(UiAction::Next) {
                menu.focused = (menu.focused + 1) % count;
            }
            let hovered = cursor.and_then(|c| menu.item_at(c));
            if cursor != menu.cursor
                && let Some(item) = hovered
            {
                menu.focused = item;
            }
            menu.cursor = cursor;
            if clicked && let Some(item) = hovered {
                menu.focused = item;
                chosen.push(MenuActivated { menu: entity, item });
            } else if actions.just_pressed(UiAction::Activate) {
                chosen.push(MenuActivated {
                    menu: entity,
                    item: menu.focused,
                });
            }
        }
        for event in chosen {
            // Registered by the UiPlugin; a world without it has no one to tell.
            let _ = ctx.send_event(event);
        }
    })
    .reads_resource::<ActionState<UiAction>>()
    .reads_resource::<Mouse>()
    .writes::<UiMenu>()
    .sends_events::<MenuActivated>()
}
