//! [`UiPlugin`]: text labels and menus drawn over the frame.

use layerw_engine::app::{App, Plugin};
use layerw_engine::asset::{AssetPlugin, AssetServer};
use layerw_engine::platform::{ActionMap, InputPlugin};
use layerw_engine::schedule::Stage;
use layerw_engine::text::{Font, FontPlugin, GlyphAtlas, UiDrawList};

use crate::ui::{MenuActivated, UiAction, UiFont, layout_ui, navigate_menus, ui_bindings};

/// The UI layer: [`UiLabel`](crate::ui::UiLabel) and [`UiMenu`](crate::ui::UiMenu)
/// components become quads of the [`UiDrawList`] (with glyphs in the [`GlyphAtlas`]) that the
/// GPU renderer draws over the frame. Adds [`AssetPlugin`] (unless the app has it),
/// [`FontPlugin`], the
/// [`UiAction`] actions ([`InputPlugin<UiAction>`] with `bindings`), the [`MenuActivated`]
/// event, [`navigate_menus`] (Update) and [`layout_ui`] (Render), and loads `font` through the
/// [`AssetServer`] as the [`UiFont`] unless the app has inserted one.
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_engine::ecs::Events;
/// use layerw_engine::platform::{InputEvent, KeyCode};
/// use layerw_engine::text::UiDrawList;
/// use layerw_systems::UiPlugin;
/// use layerw_systems::ui::{MenuActivated, UiMenu};
///
/// let mut app = App::new();
/// app.add_plugin(UiPlugin { font: "../assets/fonts/Cantarell-Regular.ttf".into(), ..Default::default() });
/// let menu = app.world_mut().spawn((UiMenu::new(["Play", "Quit"]),));
/// app.push_event(InputEvent::key_pressed(KeyCode::ArrowDown));
/// app.update(1.0 / 60.0);
/// app.push_event(InputEvent::key_pressed(KeyCode::Enter));
/// app.update(1.0 / 60.0);
/// let chosen: Vec<_> = app.world().resource::<Events<MenuActivated>>().iter().copied().collect();
/// assert_eq!(chosen, [MenuActivated { menu, item: 1 }]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct UiPlugin {
    /// The default font's path, through the [`AssetServer`] (its root applies).
    pub font: String,
    /// The bindings of the [`UiAction`]s.
    pub bindings: ActionMap<UiAction>,
}

impl Default for UiPlugin {
    fn default() -> Self {
        UiPlugin {
            font: "assets/fonts/Cantarell-Regular.ttf".into(),
            bindings: ui_bindings(),
        }
    }
}

impl Plugin for UiPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugin(AssetPlugin::default())
            .add_plugin(FontPlugin);
        app.add_plugin(InputPlugin {
            bindings: self.bindings.clone(),
        });
        if !app.world().contains_resource::<GlyphAtlas>() {
            app.insert_resource(GlyphAtlas::default());
        }
        app.insert_resource(UiDrawList::default());
        app.world_mut().add_event::<MenuActivated>();
        if !app.world().contains_resource::<UiFont>() {
            let font = AssetServer::load_in::<Font>(app.world(), &self.font);
            app.insert_resource(UiFont(font));
        }
        app.add_system(Stage::Update, navigate_menus())
            .add_system(Stage::Render, layout_ui());
    }
}
