//! Function systems: plain functions whose parameters declare what they touch, turned into
//! [`System`]s; labels and the configuration methods (`after`, `run_if`, ...) that work on
//! functions and systems alike.

use std::borrow::Cow;

use super::param::{ParamAccess, ReadOnlySystemParam, SystemParam, SystemParamItem};
use super::{Condition, ScheduleError, System, SystemContext};

/// A function whose every argument is a [`SystemParam`]: what `add_system` accepts besides a
/// [`System`]. `Marker` is the function's signature; implemented for functions of up to 12
/// parameters returning `()`.
pub trait SystemFunction<Marker>: Send + 'static {
    /// Builds the system: declares its parameters' access (refusing conflicting parameters)
    /// and wraps the function.
    fn into_function_system(self, name: Cow<'static, str>) -> System;
}

/// A function of read-only parameters returning `bool`: a run condition.
pub trait ConditionFunction<Marker>: Send + 'static {
    /// Builds the condition for the system called `system`.
    fn into_condition(self, system: &str) -> Condition;
}

/// What [`Schedule::add_system`](super::Schedule::add_system) accepts: a [`System`] or a
/// function of system parameters.
pub trait IntoSystem<Marker> {
    /// The system.
    fn into_system(self) -> System;
}

impl IntoSystem<()> for System {
    fn into_system(self) -> System {
        self
    }
}

/// Marks the [`IntoSystem`] implementation of functions.
pub struct IsFunction<Marker>(core::marker::PhantomData<Marker>);

impl<Marker, F: SystemFunction<Marker>> IntoSystem<IsFunction<Marker>> for F {
    fn into_system(self) -> System {
        self.into_function_system(function_name::<F>())
    }
}

/// The short name of a function type: `game::systems::walk` becomes `walk`; closures keep
/// their path (`game::main::{{closure}}`): name them with [`IntoSystemConfig::named`].
fn function_name<F>() -> Cow<'static, str> {
    let full = core::any::type_name::<F>();
    if full.contains("{{closure}}") {
        return Cow::Borrowed(full);
    }
    let path = full.split('<').next().unwrap_or(full);
    Cow::Borrowed(path.rsplit("::").next().unwrap_or(path))
}

/// What `.before(..)` / `.after(..)` accept: a system's name, a set's name, or a function
/// added as a system (its short name).
pub trait IntoSystemLabel<Marker> {
    /// The label.
    fn into_label(self) -> Cow<'static, str>;
}

impl IntoSystemLabel<()> for &'static str {
    fn into_label(self) -> Cow<'static, str> {
        Cow::Borrowed(self)
    }
}

impl IntoSystemLabel<()> for String {
    fn into_label(self) -> Cow<'static, str> {
        Cow::Owned(self)
    }
}

impl<Marker, F: SystemFunction<Marker>> IntoSystemLabel<IsFunction<Marker>> for F {
    fn into_label(self) -> Cow<'static, str> {
        function_name::<F>()
    }
}

/// What `.run_if(..)` accepts: a [`Condition`] or a function of read-only parameters
/// returning `bool`.
pub trait IntoCondition<Marker> {
    /// The condition, for the system called `system`.
    fn into_condition_for(self, system: &str) -> Condition;
}

impl IntoCondition<()> for Condition {
    fn into_condition_for(self, _: &str) -> Condition {
        self
    }
}

impl<Marker, F: ConditionFunction<Marker>> IntoCondition<IsFunction<Marker>> for F {
    fn into_condition_for(self, system: &str) -> Condition {
        self.into_condition(system)
    }
}

/// Configuration of systems, for functions and [`System`]s alike: each call returns the
/// configured [`System`].
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_engine::schedule::{IntoSystemConfig, Res, ResMut, Stage};
///
/// struct Log(Vec<&'static str>);
/// struct Paused(bool);
/// fn physics(mut log: ResMut<Log>) { log.0.push("physics"); }
/// fn input(mut log: ResMut<Log>) { log.0.push("input"); }
/// fn running(paused: Res<Paused>) -> bool { !paused.0 }
///
/// let mut app = App::new();
/// app.insert_resource(Log(Vec::new())).insert_resource(Paused(false));
/// app.add_system(Stage::Update, physics.after(input).run_if(running));
/// app.add_system(Stage::Update, input);
/// app.update(1.0 / 60.0);
/// app.world_mut().resource_mut::<Paused>().0 = true;
/// app.update(1.0 / 60.0);
/// assert_eq!(app.world().resource::<Log>().0, ["input", "physics", "input"]);
/// ```
pub trait IntoSystemConfig<Marker>: IntoSystem<Marker> + Sized {
    /// Renames the system (closures have no useful name of their own).
    fn named(self, name: impl Into<Cow<'static, str>>) -> System {
        self.into_system().named(name)
    }

    /// Runs the system before every system of its stage named `label` or in the set `label`.
    fn before<M>(self, label: impl IntoSystemLabel<M>) -> System {
        self.into_system().before(label)
    }

    /// Runs the system after every system of its stage named `label` or in the set `label`.
    fn after<M>(self, label: impl IntoSystemLabel<M>) -> System {
        self.into_system().after(label)
    }

    /// Puts the system in the set `set`, which `before`/`after` of other systems can name.
    fn in_set(self, set: impl Into<Cow<'static, str>>) -> System {
        self.into_system().in_set(set)
    }

    /// Runs the system only on frames when `condition` is true (conditions are ANDed).
    fn run_if<M>(self, condition: impl IntoCondition<M>) -> System {
        self.into_system().run_if(condition)
    }

    /// Places the system before the stage's systems of the default phase.
    fn first(self) -> System {
        self.into_system().first()
    }

    /// Places the system after the stage's systems of the default phase.
    fn last(self) -> System {
        self.into_system().last()
    }
}

impl<Marker, S: IntoSystem<Marker>> IntoSystemConfig<Marker> for S {}

/// Negates a run condition.
pub fn not<M>(condition: impl IntoCondition<M>) -> impl IntoCondition<()> {
    NotCondition(condition.into_condition_for("not"))
}

struct NotCondition(Condition);

impl IntoCondition<()> for NotCondition {
    fn into_condition_for(self, _: &str) -> Condition {
        let Condition {
            access,
            mut run,
            error,
        } = self.0;
        Condition::from_parts(access, Box::new(move |ctx| !run(ctx)), error)
    }
}

/// True while the world has a resource of type `T`.
pub fn resource_exists<T: crate::ecs::Resource>() -> Condition {
    (|r: Option<crate::ecs::Res<T>>| r.is_some()).into_condition("resource_exists")
}

macro_rules! impl_system_function {
    ($($param:ident),*) => {
        #[allow(non_snake_case, unused_variables, unused_mut, clippy::unused_unit, clippy::too_many_arguments)]
        impl<Func, $($param: SystemParam + 'static),*> SystemFunction<fn($($param,)*)> for Func
        where
            Func: Send + 'static,
            for<'a> &'a mut Func: FnMut($($param),*) + FnMut($(SystemParamItem<'_, '_, $param>),*),
        {
            fn into_function_system(mut self, name: Cow<'static, str>) -> System {
                let mut access = ParamAccess::new(&name);
                let mut state = ($($param::init(&mut access),)*);
                let (access, error) = access.finish();
                // Helps inference see which `FnMut` implementation is meant.
                fn call<$($param),*>(mut f: impl FnMut($($param),*), $($param: $param),*) {
                    f($($param),*)
                }
                let run = move |ctx: &SystemContext<'_>| {
                    let ($($param,)*) = &mut state;
                    call(&mut self, $($param::fetch($param, ctx)),*);
                };
                System::new(name, run).with_access(access).with_error(error)
            }
        }

        #[allow(non_snake_case, unused_variables, unused_mut, clippy::too_many_arguments)]
        impl<Func, $($param: ReadOnlySystemParam + 'static),*> ConditionFunction<fn($($param,)*) -> bool> for Func
        where
            Func: Send + 'static,
            for<'a> &'a mut Func:
                FnMut($($param),*) -> bool + FnMut($(SystemParamItem<'_, '_, $param>),*) -> bool,
        {
            fn into_condition(mut self, system: &str) -> Condition {
                let mut access = ParamAccess::new(system);
                let mut state = ($($param::init(&mut access),)*);
                let (access, error) = access.finish();
                fn call<$($param),*>(mut f: impl FnMut($($param),*) -> bool, $($param: $param),*) -> bool {
                    f($($param),*)
                }
                let error = error.or_else(|| {
                    (!access.is_read_only()).then(|| ScheduleError::WritingCondition {
                        system: system.to_owned(),
                    })
                });
                let run = move |ctx: &SystemContext<'_>| {
                    let ($($param,)*) = &mut state;
                    call(&mut self, $($param::fetch($param, ctx)),*)
                };
                Condition::from_parts(access, Box::new(run), error)
            }
        }
    };
}

impl_system_function!();
impl_system_function!(P0);
impl_system_function!(P0, P1);
impl_system_function!(P0, P1, P2);
impl_system_function!(P0, P1, P2, P3);
impl_system_function!(P0, P1, P2, P3, P4);
impl_system_function!(P0, P1, P2, P3, P4, P5);
impl_system_function!(P0, P1, P2, P3, P4, P5, P6);
impl_system_function!(P0, P1, P2, P3, P4, P5, P6, P7);
impl_system_function!(P0, P1, P2, P3, P4, P5, P6, P7, P8);
impl_system_function!(P0, P1, P2, P3, P4, P5, P6, P7, P8, P9);
impl_system_function!(P0, P1, P2, P3, P4, P5, P6, P7, P8, P9, P10);
impl_system_function!(P0, P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11);
