//! The look of each channel: phone, chat, email and messaging differ in colours and bubbles.

use bevy::prelude::*;

use crate::app::theme::palette;
use crate::scenario::Channel;

/// The look of a channel: phone, chat, email and messaging differ.
#[derive(Resource, Debug, Clone, Copy)]
pub(in crate::app) struct CallLook {
    pub channel: Channel,
    pub(super) backdrop: Color,
    pub(super) log_background: Color,
    pub(super) customer_fill: Color,
    pub(super) customer_ink: Color,
    pub(super) agent_fill: Color,
    pub(super) agent_ink: Color,
    pub(super) meta_ink: Color,
    pub(super) badge: Color,
    pub(super) bubble_radius: f32,
}

impl CallLook {
    /// The look of a channel.
    pub fn of(channel: Channel) -> CallLook {
        match channel {
            Channel::Phone => CallLook {
                channel,
                backdrop: Color::srgb(0.07, 0.09, 0.14),
                log_background: Color::srgb(0.10, 0.12, 0.19),
                customer_fill: Color::srgba(1.0, 1.0, 1.0, 0.0),
                customer_ink: palette::INK,
                agent_fill: Color::srgba(0.35, 0.62, 0.98, 0.10),
                agent_ink: Color::srgb(0.72, 0.84, 1.0),
                meta_ink: palette::INK_SOFT,
                badge: Color::srgb(0.30, 0.66, 0.45),
                bubble_radius: 6.0,
            },
            Channel::Chat => CallLook {
                channel,
                backdrop: Color::srgb(0.09, 0.10, 0.14),
                log_background: Color::srgb(0.95, 0.96, 0.98),
                customer_fill: Color::srgb(0.88, 0.90, 0.94),
                customer_ink: palette::INK_DARK,
                agent_fill: Color::srgb(0.27, 0.50, 0.93),
                agent_ink: Color::WHITE,
                meta_ink: palette::INK_DARK_SOFT,
                badge: Color::srgb(0.27, 0.50, 0.93),
                bubble_radius: 16.0,
            },
            Channel::Messaging => CallLook {
                channel,
                backdrop: Color::srgb(0.07, 0.11, 0.10),
                log_background: Color::srgb(0.90, 0.87, 0.81),
                customer_fill: Color::WHITE,
                customer_ink: palette::INK_DARK,
                agent_fill: Color::srgb(0.85, 0.97, 0.78),
                agent_ink: palette::INK_DARK,
                meta_ink: Color::srgb(0.45, 0.50, 0.45),
                badge: Color::srgb(0.15, 0.62, 0.42),
                bubble_radius: 10.0,
            },
            Channel::Email => CallLook {
                channel,
                backdrop: Color::srgb(0.10, 0.10, 0.12),
                log_background: Color::srgb(0.93, 0.93, 0.91),
                customer_fill: Color::WHITE,
                customer_ink: palette::INK_DARK,
                agent_fill: Color::srgb(0.98, 0.97, 0.92),
                agent_ink: palette::INK_DARK,
                meta_ink: palette::INK_DARK_SOFT,
                badge: Color::srgb(0.75, 0.50, 0.22),
                bubble_radius: 4.0,
            },
        }
    }

    /// Whether the customer is shown typing before a line appears.
    pub(super) fn shows_typing(self) -> bool {
        matches!(self.channel, Channel::Chat | Channel::Messaging)
    }

    /// The channel's name in the header.
    pub(super) fn title(self) -> &'static str {
        match self.channel {
            Channel::Phone => "☎  Phone call",
            Channel::Chat => "Live chat",
            Channel::Messaging => "Messaging",
            Channel::Email => "✉  Email",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_looks_different() {
        let looks: Vec<_> = Channel::ALL
            .iter()
            .map(|c| CallLook::of(*c).log_background.to_srgba().to_hex())
            .collect();
        let mut unique = looks.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), looks.len(), "{looks:?}");
    }
}
