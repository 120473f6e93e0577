//! Ordering inside a stage (before/after, sets), run conditions and states.

use layerw_engine::app::{App, RunError};
use layerw_engine::schedule::{
    IntoSystemConfig, NextState, Res, ResMut, Schedule, ScheduleError, Stage, State,
    StateTransition, in_state, not, resource_exists,
};

#[derive(Default)]
struct Log(Vec<&'static str>);

fn a(mut log: ResMut<Log>) {
    log.0.push("a");
}
fn b(mut log: ResMut<Log>) {
    log.0.push("b");
}
fn c(mut log: ResMut<Log>) {
    log.0.push("c");
}

fn run_once(app: &mut App) -> Vec<&'static str> {
    app.world_mut().resource_mut::<Log>().0.clear();
    app.update(1.0 / 60.0);
    app.world().resource::<Log>().0.clone()
}

fn new_app() -> App {
    let mut app = App::new();
    app.insert_resource(Log::default());
    app
}

#[test]
fn declaration_order_without_constraints() {
    let mut app = new_app();
    app.add_system(Stage::Update, a)
        .add_system(Stage::Update, b)
        .add_system(Stage::Update, c);
    assert_eq!(run_once(&mut app), ["a", "b", "c"]);
}

#[test]
fn before_and_after_reorder_within_a_stage() {
    let mut app = new_app();
    app.add_system(Stage::Update, a.after(c))
        .add_system(Stage::Update, b)
        .add_system(Stage::Update, c.after(b));
    assert_eq!(run_once(&mut app), ["b", "c", "a"]);

    let mut app = new_app();
    app.add_system(Stage::Update, a)
        .add_system(Stage::Update, b)
        .add_system(Stage::Update, c.before("a"));
    assert_eq!(run_once(&mut app), ["c", "a", "b"]);
}

#[test]
fn sets_order_groups_of_systems() {
    let mut app = new_app();
    app.add_system(Stage::Update, a.after("physics"))
        .add_system(Stage::Update, b.in_set("physics"))
        .add_system(Stage::Update, c.in_set("physics"));
    assert_eq!(run_once(&mut app), ["b", "c", "a"]);
}

#[test]
fn ordered_systems_never_share_a_batch() {
    struct X;
    struct Y;
    fn reads_x(_x: Res<X>) {}
    fn reads_y(_y: Res<Y>) {}
    let mut schedule = Schedule::new();
    schedule
        .add_system(Stage::Update, reads_x)
        .add_system(Stage::Update, reads_y);
    assert_eq!(schedule.batches(Stage::Update).len(), 1);
    let mut schedule = Schedule::new();
    schedule
        .add_system(Stage::Update, reads_x)
        .add_system(Stage::Update, reads_y.after(reads_x));
    assert_eq!(
        schedule.batches(Stage::Update),
        vec![vec!["reads_x"], vec!["reads_y"]]
    );
}

#[test]
fn an_unknown_label_is_an_error_before_the_first_frame() {
    let mut app = new_app();
    app.add_system(Stage::Update, a.after("phisics"));
    match app.build() {
        Err(ScheduleError::UnknownLabel {
            stage,
            system,
            label,
        }) => {
            assert_eq!(
                (stage, system.as_str(), label.as_str()),
                (Stage::Update, "a", "phisics")
            );
        }
        other => panic!("wrong result: {other:?}"),
    }
    // `run` returns it instead of starting.
    match app.run() {
        Err(RunError::Schedule(ScheduleError::UnknownLabel { .. })) => {}
        other => panic!("wrong result: {other:?}"),
    }
}

#[test]
fn a_cycle_is_an_error() {
    let mut schedule = Schedule::new();
    schedule
        .add_system(Stage::Lod, a.after(b))
        .add_system(Stage::Lod, b.after(a))
        .add_system(Stage::Lod, c);
    match schedule.build() {
        Err(ScheduleError::Cycle { stage, systems }) => {
            assert_eq!(stage, Stage::Lod);
            assert_eq!(systems, ["a", "b"]);
        }
        other => panic!("wrong result: {other:?}"),
    }
}

#[test]
#[should_panic(expected = "form a cycle")]
fn update_panics_on_a_cycle() {
    let mut app = new_app();
    app.add_system(Stage::Update, a.after(b))
        .add_system(Stage::Update, b.after(a));
    app.update(1.0 / 60.0);
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Screen {
    Menu,
    Play,
}

struct Paused;

#[test]
fn run_conditions_and_states() {
    let mut app = new_app();
    app.add_state(Screen::Menu);
    app.add_system(Stage::Update, a.run_if(in_state(Screen::Menu)))
        .add_system(
            Stage::Update,
            b.run_if(in_state(Screen::Play))
                .run_if(not(resource_exists::<Paused>())),
        )
        .add_system(
            Stage::Update,
            c.run_if(|state: Res<State<Screen>>| state.just_entered()),
        );
    assert_eq!(run_once(&mut app), ["a", "c"]);
    assert_eq!(run_once(&mut app), ["a"]);
    app.world_mut()
        .resource_mut::<NextState<Screen>>()
        .set(Screen::Play);
    assert_eq!(run_once(&mut app), ["b", "c"]);
    assert_eq!(
        app.world()
            .resource::<layerw_engine::ecs::Events<StateTransition<Screen>>>()
            .iter()
            .collect::<Vec<_>>(),
        [&StateTransition {
            from: Screen::Menu,
            to: Screen::Play
        }]
    );
    app.insert_resource(Paused);
    assert_eq!(run_once(&mut app), Vec::<&str>::new());
}

#[test]
fn a_system_can_request_the_next_state() {
    fn start(mut next: ResMut<NextState<Screen>>) {
        next.set(Screen::Play);
    }
    let mut app = new_app();
    app.add_state(Screen::Menu);
    app.add_system(Stage::Update, start.run_if(in_state(Screen::Menu)));
    app.update(1.0 / 60.0);
    assert_eq!(*app.world().resource::<State<Screen>>().get(), Screen::Menu);
    app.update(1.0 / 60.0);
    assert_eq!(*app.world().resource::<State<Screen>>().get(), Screen::Play);
}
