// The procedural sky: radiance seen in a direction, from the frame's two ambient colours (the
// sky's at the zenith and the ground's). Prepended to the environment maps' shader (which
// bakes it into the cube maps image-based lighting reads) and to pbr.wgsl (the skybox), so
// what the sky shows and what it lights with are the same. The sun's disk is not part of it:
// the sun lights analytically.

fn sky_luma(c: vec3<f32>) -> f32 {
    return dot(c, vec3<f32>(0.2126, 0.7152, 0.0722));
}

fn sky_radiance(direction: vec3<f32>, sky: vec3<f32>, ground: vec3<f32>) -> vec3<f32> {
    let y = direction.y;
    // Paler and brighter towards the horizon, as scattering makes a clear sky.
    let horizon = mix(sky, vec3<f32>(sky_luma(sky)), 0.35) * 1.3;
    let above = mix(horizon, sky, smoothstep(0.0, 0.45, y));
    let below = mix(mix(horizon, ground, 0.6), ground, smoothstep(0.0, 0.12, -y));
    return select(below, above, y >= 0.0);
}
