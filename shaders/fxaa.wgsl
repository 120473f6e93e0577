// FXAA (Lottes's fast approximate anti-aliasing, the "quality" variant's algorithm): on the
// tonemapped image, find the local edge's direction from luma differences, walk along it to
// both ends, and resample across the edge by how far the pixel is from the nearer end, plus
// a sub-pixel blend for lone pixels. For frames without MSAA (one sample, or where MSAA is
// unsupported).

@group(0) @binding(0) var ldr: texture_2d<f32>;
@group(0) @binding(1) var ldr_sampler: sampler;

// Contrast below which nothing is done: relative to the local maximum, and absolute (dark).
const EDGE_THRESHOLD: f32 = 0.125;
const EDGE_THRESHOLD_MIN: f32 = 0.0312;
// How far the edge walk goes, in steps growing along the edge.
const STEPS: i32 = 10;
const SUBPIXEL_QUALITY: f32 = 0.75;

// Perceptual luma of a linear colour (the target decodes sRGB on sampling).
fn luma_at(uv: vec2<f32>) -> f32 {
    let c = textureSampleLevel(ldr, ldr_sampler, uv, 0.0).rgb;
    return sqrt(dot(c, vec3<f32>(0.299, 0.587, 0.114)));
}

fn step_size(i: i32) -> f32 {
    if (i < 5) {
        return 1.0;
    }
    if (i < 6) {
        return 1.5;
    }
    if (i < 9) {
        return 2.0;
    }
    return 4.0;
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    let texel = 1.0 / vec2<f32>(textureDimensions(ldr));
    let uv = in.uv;
    let center = textureSampleLevel(ldr, ldr_sampler, uv, 0.0);
    let c = sqrt(dot(center.rgb, vec3<f32>(0.299, 0.587, 0.114)));
    let n = luma_at(uv + vec2<f32>(0.0, -texel.y));
    let s = luma_at(uv + vec2<f32>(0.0, texel.y));
    let w = luma_at(uv + vec2<f32>(-texel.x, 0.0));
    let e = luma_at(uv + vec2<f32>(texel.x, 0.0));
    let lo = min(c, min(min(n, s), min(w, e)));
    let hi = max(c, max(max(n, s), max(w, e)));
    let range = hi - lo;
    if (range < max(EDGE_THRESHOLD_MIN, hi * EDGE_THRESHOLD)) {
        return center;
    }
    let nw = luma_at(uv + vec2<f32>(-texel.x, -texel.y));
    let ne = luma_at(uv + vec2<f32>(texel.x, -texel.y));
    let sw = luma_at(uv + vec2<f32>(-texel.x, texel.y));
    let se = luma_at(uv + vec2<f32>(texel.x, texel.y));

    // An edge is horizontal when luma changes more across rows than across columns.
    let horizontal_change = abs(nw + sw - 2.0 * w) + 2.0 * abs(n + s - 2.0 * c)
        + abs(ne + se - 2.0 * e);
    let vertical_change = abs(nw + ne - 2.0 * n) + 2.0 * abs(w + e - 2.0 * c)
        + abs(sw + se - 2.0 * s);
    let horizontal = horizontal_change >= vertical_change;

    // Which side of the pixel the edge is on: the neighbour with the larger gradient.
    var before = w;
    var after = e;
    var across = texel.x;
    if (horizontal) {
        before = n;
        after = s;
        across = texel.y;
    }
    let gradient_before = abs(before - c);
    let gradient_after = abs(after - c);
    var side_luma = after;
    if (gradient_before >= gradient_after) {
        across = -across;
        side_luma = before;
    }
    let gradient = 0.25 * max(gradient_before, gradient_after);
    let local_average = 0.5 * (side_luma + c);

    // Walk along the edge, half a pixel towards its side, until luma leaves the edge's.
    var start = uv;
    var along = vec2<f32>(texel.x, 0.0);
    if (horizontal) {
        start.y += across * 0.5;
    } else {
        start.x += across * 0.5;
        along = vec2<f32>(0.0, texel.y);
    }
    var uv_back = start - along;
    var uv_forward = start + along;
    var end_back = luma_at(uv_back) - local_average;
    var end_forward = luma_at(uv_forward) - local_average;
    var done_back = abs(end_back) >= gradient;
    var done_forward = abs(end_forward) >= gradient;
    for (var i = 1; i < STEPS && !(done_back && done_forward); i++) {
        if (!done_back) {
            uv_back -= along * step_size(i);
            end_back = luma_at(uv_back) - local_average;
            done_back = abs(end_back) >= gradient;
        }
        if (!done_forward) {
            uv_forward += along * step_size(i);
            end_forward = luma_at(uv_forward) - local_average;
            done_forward = abs(end_forward) >= gradient;
        }
    }
    var distance_back = uv.x - uv_back.x;
    var distance_forward = uv_forward.x - uv.x;
    if (!horizontal) {
        distance_back = uv.y - uv_back.y;
        distance_forward = uv_forward.y - uv.y;
    }
    let back_is_nearer = distance_back < distance_forward;
    let nearest = min(distance_back, distance_forward);
    let edge_length = distance_back + distance_forward;
    var end_luma = end_forward;
    if (back_is_nearer) {
        end_luma = end_back;
    }
    // Blend only when the nearer end's luma moves away from the centre's side of the edge.
    var offset = 0.0;
    if ((end_luma < 0.0) != (c < local_average)) {
        offset = 0.5 - nearest / edge_length;
    }

    // A lone pixel (thin feature, single-pixel speck) against its neighbourhood's average.
    let average = (2.0 * (n + s + w + e) + nw + ne + sw + se) / 12.0;
    let contrast = clamp(abs(average - c) / range, 0.0, 1.0);
    let smooth_contrast = (-2.0 * contrast + 3.0) * contrast * contrast;
    offset = max(offset, smooth_contrast * smooth_contrast * SUBPIXEL_QUALITY);

    var sample_uv = uv;
    if (horizontal) {
        sample_uv.y += offset * across;
    } else {
        sample_uv.x += offset * across;
    }
    return vec4<f32>(textureSampleLevel(ldr, ldr_sampler, sample_uv, 0.0).rgb, 1.0);
}
