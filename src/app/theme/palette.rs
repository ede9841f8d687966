//! Named colours of the game, shared by every screen.

use bevy::prelude::Color;

pub const INK: Color = Color::srgb(0.93, 0.94, 0.96);
pub const INK_SOFT: Color = Color::srgb(0.70, 0.73, 0.80);
pub const INK_DARK: Color = Color::srgb(0.12, 0.13, 0.17);
pub const INK_DARK_SOFT: Color = Color::srgb(0.38, 0.40, 0.46);
pub const BACKDROP: Color = Color::srgb(0.086, 0.098, 0.133);
pub const SURFACE: Color = Color::srgb(0.125, 0.141, 0.188);
pub const SURFACE_RAISED: Color = Color::srgb(0.165, 0.184, 0.243);
pub const SURFACE_HOVER: Color = Color::srgb(0.215, 0.239, 0.310);
pub const ACCENT: Color = Color::srgb(0.35, 0.62, 0.98);
pub const ACCENT_HOVER: Color = Color::srgb(0.45, 0.70, 1.0);
pub const ACCENT_PRESSED: Color = Color::srgb(0.25, 0.50, 0.85);
pub const GOOD: Color = Color::srgb(0.36, 0.78, 0.55);
pub const BAD: Color = Color::srgb(0.93, 0.40, 0.40);
pub const WARN: Color = Color::srgb(0.96, 0.70, 0.30);
pub const ANGER: Color = Color::srgb(0.92, 0.36, 0.33);
pub const PATIENCE: Color = Color::srgb(0.96, 0.72, 0.28);
pub const TRUST: Color = Color::srgb(0.30, 0.76, 0.72);
pub const FOCUS_RING: Color = Color::srgb(1.0, 0.85, 0.35);
pub const TRACK: Color = Color::srgba(1.0, 1.0, 1.0, 0.08);
