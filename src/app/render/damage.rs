//! Partial redraws: on a frame where only the live regions (the call's clock, meters and portrait)
//! changed, the renderer keeps the last frame's image and draws only the regions that changed.
//!
//! With software rendering every pixel drawn is CPU time, and a call that waits for the trainee
//! still wakes once a second for its clock. Such a frame changes a few words of text; drawing
//! the whole screen for it cost about two thirds of the idle CPU. So each frame is checked in the
//! extraction step, after everything in the game world has run: if no node outside a
//! [`LiveRegion`] changed in any way that shows (size, place, visibility, colours, text, images,
//! scrolling, spawned or despawned), the camera does not clear its image and only the UI items
//! that overlap a live region something changed in are drawn, clipped to it, over the region's
//! backdrop. Inside such a region that is exactly what a full redraw draws; everywhere else the
//! pixels are the last frame's.
//! Any other change, a resize, a texture that changed, the first frame of a window, and the
//! frame after one that could not draw everything (no window image, a pipeline still compiling)
//! draw everything.
//!
//! Only the items in [`ExtractedUiNodes`] are filtered (backgrounds, borders, outlines, images and
//! text: everything the game draws). Box shadows, gradients, texture slices and UI materials have
//! their own extracted lists; a screen that uses them under a live region needs them filtered too.

use bevy::camera::ClearColorConfig;
use bevy::math::Affine2;
use bevy::prelude::*;
use bevy::render::camera::ExtractedCamera;
use bevy::render::sync_world::{MainEntity, TemporaryRenderEntity};
use bevy::render::view::{ViewTarget, prepare_view_targets};
use bevy::render::{Extract, ExtractSchedule, Render, RenderApp, RenderSystems};
use bevy::sprite::BorderRect;
use bevy::text::TextLayoutInfo;
use bevy::ui::{
    CalculatedClip, ComputedNode, ComputedStackIndex, ResolvedBorderRadius, UiGlobalTransform,
};
use bevy::ui_render::{ExtractedUiItem, ExtractedUiNode, ExtractedUiNodes, NodeType};

use super::reactive::PipelinesPending;

/// A part of a screen whose content changes while the trainee idles (the clock, the meters, the
/// customer's face).
/// It must not move or change size on such frames; everything it draws stays inside it.
#[derive(Component, Debug, Default, Clone, Copy)]
pub(in crate::app) struct LiveRegion;

/// Set to draw every frame whole (to compare, or if a graphics driver does not keep the last
/// frame's image).
const FULL_REDRAWS_ENV: &str = "RAPPORT_FULL_REDRAWS";

/// Adds partial redraws to the windowed game (no-op without a renderer).
pub(in crate::app) struct PartialRedraws;

impl Plugin for PartialRedraws {
    fn build(&self, _app: &mut App) {}

    fn finish(&self, app: &mut App) {
        if std::env::var_os(FULL_REDRAWS_ENV).is_some() {
            info!("{FULL_REDRAWS_ENV} is set: every frame is drawn whole");
            return;
        }
        let Some(render_app) = app.get_sub_app_mut(RenderApp) else {
            return;
        };
        render_app
            .init_resource::<Damage>()
            .add_systems(ExtractSchedule, find_damage)
            .add_systems(
                Render,
                (
                    draw_only_damage
                        .in_set(RenderSystems::PrepareAssets)
                        .run_if(|damage: Res<Damage>| damage.quiet.is_some()),
                    notice_skipped_frames
                        .in_set(RenderSystems::PrepareViews)
                        .after(prepare_view_targets),
                ),
            );
    }
}

/// What this frame must draw, decided at extraction.
#[derive(Resource, Debug, Default)]
struct Damage {
    /// `Some` on a quiet frame: the regions to draw (physical pixels) and their backdrop.
    quiet: Option<QuietFrame>,
    /// Whether the last frame was drawn into the window's image (the first frame, and the one
    /// after a frame that had no window image to draw into, are drawn whole).
    painted: bool,
    /// How many UI nodes and outlines there were at the last frame (to notice despawns).
    counts: (usize, usize),
    /// The live regions' boxes at the last frame: if one moves, the frame is drawn whole.
    regions: Vec<Rect>,
    /// Frames drawn whole, for the log.
    whole_frames: u64,
    /// Quiet frames (only their live regions drawn), for the log.
    quiet_frames: u64,
}

#[derive(Debug, Clone)]
struct QuietFrame {
    regions: Vec<Rect>,
    backdrop: LinearRgba,
}

/// The components whose change shows on screen (first half).
type ShownChangeA = Or<(
    Changed<ComputedNode>,
    Changed<UiGlobalTransform>,
    Changed<InheritedVisibility>,
    Changed<Visibility>,
    Changed<Node>,
    Changed<BackgroundColor>,
    Changed<BorderColor>,
)>;

/// The components whose change shows on screen (second half).
type ShownChangeB = Or<(
    Changed<Outline>,
    Changed<TextColor>,
    Changed<TextLayoutInfo>,
    Changed<ImageNode>,
    Changed<ComputedStackIndex>,
    Changed<CalculatedClip>,
    Changed<ScrollPosition>,
)>;

/// A live region: where it is, what of it its ancestors let show, and whether it shows.
type LiveBox = (
    Entity,
    &'static ComputedNode,
    &'static UiGlobalTransform,
    Option<&'static CalculatedClip>,
    &'static InheritedVisibility,
);

/// Decides whether this frame is quiet (only things inside live regions changed since the last
/// frame) and which regions to draw again (those something changed in).
fn find_damage(
    mut damage: ResMut<Damage>,
    changed_a: Extract<Query<Entity, ShownChangeA>>,
    changed_b: Extract<Query<Entity, ShownChangeB>>,
    parents: Extract<Query<&ChildOf>>,
    live: Extract<Query<LiveBox, With<LiveRegion>>>,
    is_live: Extract<Query<(), With<LiveRegion>>>,
    nodes: Extract<Query<(), With<ComputedNode>>>,
    outlines: Extract<Query<(), With<Outline>>>,
    windows: Extract<Query<(), Changed<Window>>>,
    cameras: Extract<Query<(), Changed<Camera>>>,
    clear: Extract<Res<ClearColor>>,
    mut images: Extract<MessageReader<AssetEvent<Image>>>,
    compiling: Option<Res<PipelinesPending>>,
) {
    // Items whose pipeline was still compiling were left out of the last frame (right after
    // launch, or when a screen first uses a pipeline), so this one is drawn whole.
    let complete = compiling.is_none_or(|pending| !pending.get());
    // A texture that changed (a font atlas that grew, an image that loaded) may show anywhere.
    let images_changed = images.read().count() > 0;
    let counts = (nodes.iter().count(), outlines.iter().count());
    // Each region's box: only the part its ancestors do not clip away, so its backdrop stays
    // inside what shows of it.
    let boxes: Vec<(Entity, Rect)> = live
        .iter()
        .filter(|(_, node, .., visible)| visible.get() && !node.is_empty())
        .map(|(entity, node, transform, clip, _)| {
            let whole = pixel_box(node, transform);
            (
                entity,
                clip.map_or(whole, |clip| whole.intersect(clip.clip)),
            )
        })
        .filter(|(_, region)| !region.is_empty())
        .collect();
    let regions: Vec<Rect> = boxes.iter().map(|(_, region)| *region).collect();
    // The live region each change is in (the nearest), or `None` for a change outside them all.
    let region_of = |entity: Entity| {
        std::iter::once(entity)
            .chain(parents.iter_ancestors(entity))
            .find(|e| is_live.contains(*e))
    };
    let mut dirty: Vec<Entity> = Vec::new();
    let mut outside = false;
    for entity in changed_a.iter().chain(changed_b.iter()) {
        match region_of(entity) {
            Some(region) if !dirty.contains(&region) => dirty.push(region),
            Some(_) => {}
            None => {
                outside = true;
                break;
            }
        }
    }
    let still = damage.painted
        && complete
        && !outside
        && !images_changed
        && counts == damage.counts
        && regions == damage.regions
        && windows.is_empty()
        && cameras.is_empty()
        && !clear.is_changed();
    damage.counts = counts;
    damage.painted = true;
    // Only the regions something changed in are drawn again; a frame where nothing changed
    // draws nothing and shows the last image.
    damage.quiet = still.then(|| QuietFrame {
        regions: boxes
            .iter()
            .filter(|(entity, _)| dirty.contains(entity))
            .map(|(_, region)| *region)
            .collect(),
        backdrop: clear.0.into(),
    });
    damage.regions = regions;
    if damage.quiet.is_some() {
        damage.quiet_frames += 1;
    } else {
        damage.whole_frames += 1;
    }
}

impl Drop for Damage {
    fn drop(&mut self) {
        info!(
            "frames drawn: {} whole, {} only their live regions",
            self.whole_frames, self.quiet_frames
        );
    }
}

/// A whole frame with no window image to draw into (a minimised window, a swapchain that timed
/// out) is not rendered at all, so the last image falls behind what the game shows: the next
/// frame is then drawn whole.
fn notice_skipped_frames(
    mut damage: ResMut<Damage>,
    views: Query<(), (With<ExtractedCamera>, With<ViewTarget>)>,
) {
    if views.is_empty() {
        damage.painted = false;
    }
}

/// A node's box in physical pixels, rounded out to whole pixels.
fn pixel_box(node: &ComputedNode, transform: &UiGlobalTransform) -> Rect {
    let half = node.size() * 0.5;
    let centre = transform.translation;
    Rect::from_corners((centre - half).floor(), (centre + half).ceil())
}

/// On a quiet frame: keep the last image and draw only what overlaps the live regions.
fn draw_only_damage(
    mut commands: Commands,
    damage: Res<Damage>,
    mut extracted: ResMut<ExtractedUiNodes>,
    mut cameras: Query<&mut ExtractedCamera>,
) {
    let Some(quiet) = &damage.quiet else {
        return;
    };
    for mut camera in &mut cameras {
        camera.clear_color = ClearColorConfig::None;
    }
    let Some(camera) = extracted.uinodes.first().map(|n| n.extracted_camera_entity) else {
        return;
    };
    let ExtractedUiNodes { uinodes, glyphs } = &mut *extracted;
    let mut kept = Vec::with_capacity(uinodes.len() / 4 + quiet.regions.len());
    for region in &quiet.regions {
        // The backdrop the camera would have cleared to, under everything else in the region.
        kept.push(ExtractedUiNode {
            z_order: -1.0,
            image: AssetId::default(),
            clip: None,
            extracted_camera_entity: camera,
            item: filled(quiet.backdrop, region.size()),
            main_entity: MainEntity::from(Entity::PLACEHOLDER),
            render_entity: commands.spawn(TemporaryRenderEntity).id(),
            transform: Affine2::from_translation(region.center()),
        });
    }
    for node in uinodes.drain(..) {
        let bounds = item_bounds(&node, glyphs);
        let mut first = true;
        for region in &quiet.regions {
            let clip = node.clip.map_or(*region, |c| c.intersect(*region));
            if clip.is_empty() || bounds.intersect(*region).is_empty() {
                continue;
            }
            let render_entity = if first {
                node.render_entity
            } else {
                commands.spawn(TemporaryRenderEntity).id()
            };
            first = false;
            kept.push(ExtractedUiNode {
                clip: Some(clip),
                render_entity,
                item: match &node.item {
                    ExtractedUiItem::Node {
                        color,
                        rect,
                        atlas_scaling,
                        flip_x,
                        flip_y,
                        border_radius,
                        border,
                        node_type,
                    } => ExtractedUiItem::Node {
                        color: *color,
                        rect: *rect,
                        atlas_scaling: *atlas_scaling,
                        flip_x: *flip_x,
                        flip_y: *flip_y,
                        border_radius: *border_radius,
                        border: *border,
                        node_type: *node_type,
                    },
                    ExtractedUiItem::Glyphs { range } => ExtractedUiItem::Glyphs {
                        range: range.clone(),
                    },
                },
                ..node
            });
        }
    }
    *uinodes = kept;
}

/// A plain filled rectangle of `size`, centred on its node's transform.
fn filled(color: LinearRgba, size: Vec2) -> ExtractedUiItem {
    ExtractedUiItem::Node {
        color,
        rect: Rect::from_corners(Vec2::ZERO, size),
        atlas_scaling: None,
        flip_x: false,
        flip_y: false,
        border_radius: ResolvedBorderRadius::ZERO,
        border: BorderRect::ZERO,
        node_type: NodeType::Rect,
    }
}

/// Where an extracted item draws, in physical pixels (the quads `prepare_uinodes` builds).
fn item_bounds(node: &ExtractedUiNode, glyphs: &[bevy::ui_render::ExtractedGlyph]) -> Rect {
    let corners = |size: Vec2, offset: Vec2| {
        [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)].map(|(x, y)| {
            node.transform
                .transform_point2(offset + Vec2::new(x, y) * size)
        })
    };
    let mut bounds = Rect::EMPTY;
    let mut add = |points: [Vec2; 4]| {
        for point in points {
            bounds = bounds.union_point(point);
        }
    };
    match &node.item {
        ExtractedUiItem::Node { rect, .. } => add(corners(rect.size(), Vec2::ZERO)),
        ExtractedUiItem::Glyphs { range } => {
            for glyph in glyphs.get(range.clone()).unwrap_or_default() {
                add(corners(glyph.rect.size(), glyph.translation));
            }
        }
    }
    bounds
}

#[cfg(test)]
mod tests {
    use bevy::ecs::system::RunSystemOnce;

    use super::*;

    /// A plain rectangle of `size` centred at `centre`, optionally clipped.
    fn node(world: &mut World, centre: Vec2, size: Vec2, clip: Option<Rect>) -> ExtractedUiNode {
        ExtractedUiNode {
            z_order: 1.0,
            image: AssetId::default(),
            clip,
            extracted_camera_entity: Entity::PLACEHOLDER,
            item: filled(LinearRgba::WHITE, size),
            main_entity: MainEntity::from(Entity::PLACEHOLDER),
            render_entity: world.spawn_empty().id(),
            transform: Affine2::from_translation(centre),
        }
    }

    fn clips(nodes: &ExtractedUiNodes) -> Vec<(f32, Option<Rect>)> {
        nodes.uinodes.iter().map(|n| (n.z_order, n.clip)).collect()
    }

    #[test]
    fn a_quiet_frame_draws_only_what_overlaps_a_live_region_clipped_to_it() {
        let mut world = World::new();
        let clock = Rect::new(100.0, 0.0, 200.0, 50.0);
        let meters = Rect::new(0.0, 100.0, 50.0, 200.0);
        let inside = node(
            &mut world,
            Vec2::new(150.0, 25.0),
            Vec2::new(20.0, 10.0),
            None,
        );
        let outside = node(
            &mut world,
            Vec2::new(400.0, 400.0),
            Vec2::new(20.0, 20.0),
            None,
        );
        // A panel under both regions, already clipped by its scroll parent on the right.
        let under_both = node(
            &mut world,
            Vec2::new(100.0, 100.0),
            Vec2::new(200.0, 200.0),
            Some(Rect::new(0.0, 0.0, 180.0, 300.0)),
        );
        world.insert_resource(ExtractedUiNodes {
            uinodes: vec![inside, outside, under_both],
            glyphs: Vec::new(),
        });
        let mut damage = Damage::default();
        damage.quiet = Some(QuietFrame {
            regions: vec![clock, meters],
            backdrop: LinearRgba::BLACK,
        });
        world.insert_resource(damage);
        world
            .run_system_once(draw_only_damage)
            .expect("the system runs");
        let nodes = world.resource::<ExtractedUiNodes>();
        assert_eq!(
            clips(nodes),
            vec![
                // The two backdrops, under everything.
                (-1.0, None),
                (-1.0, None),
                (1.0, Some(clock)),
                (1.0, Some(Rect::new(100.0, 0.0, 180.0, 50.0))),
                (1.0, Some(meters)),
            ]
        );
        let backdrop = &nodes.uinodes[0];
        assert_eq!(item_bounds(backdrop, &[]), clock);
        assert_ne!(
            nodes.uinodes[3].render_entity, nodes.uinodes[4].render_entity,
            "a node drawn in two regions is two items"
        );
    }

    #[test]
    fn a_quiet_frame_where_nothing_changed_draws_nothing() {
        let mut world = World::new();
        let panel = node(
            &mut world,
            Vec2::new(50.0, 50.0),
            Vec2::new(100.0, 100.0),
            None,
        );
        world.insert_resource(ExtractedUiNodes {
            uinodes: vec![panel],
            glyphs: Vec::new(),
        });
        let mut damage = Damage::default();
        damage.quiet = Some(QuietFrame {
            regions: Vec::new(),
            backdrop: LinearRgba::BLACK,
        });
        world.insert_resource(damage);
        world
            .run_system_once(draw_only_damage)
            .expect("the system runs");
        assert!(world.resource::<ExtractedUiNodes>().uinodes.is_empty());
    }

    #[test]
    fn glyphs_are_bounded_by_their_quads_and_boxes_round_out_to_whole_pixels() {
        let mut world = World::new();
        let mut text = node(&mut world, Vec2::new(10.0, 10.0), Vec2::ZERO, None);
        text.item = ExtractedUiItem::Glyphs { range: 0..2 };
        let glyphs = [
            bevy::ui_render::ExtractedGlyph {
                color: LinearRgba::WHITE,
                translation: Vec2::new(0.0, 0.0),
                rect: Rect::new(0.0, 0.0, 4.0, 6.0),
            },
            bevy::ui_render::ExtractedGlyph {
                color: LinearRgba::WHITE,
                translation: Vec2::new(8.0, 0.0),
                rect: Rect::new(0.0, 0.0, 4.0, 6.0),
            },
        ];
        assert_eq!(item_bounds(&text, &glyphs), Rect::new(8.0, 7.0, 20.0, 13.0));
        let computed = ComputedNode {
            size: Vec2::new(10.5, 4.0),
            ..default()
        };
        let transform = UiGlobalTransform::from_translation(Vec2::new(20.2, 10.0));
        assert_eq!(
            pixel_box(&computed, &transform),
            Rect::new(14.0, 8.0, 26.0, 12.0)
        );
    }
}
