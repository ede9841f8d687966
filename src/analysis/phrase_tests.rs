//! Unit tests of the lexicon's phrase rules read by the rules alone: respect, deflection and
//! acknowledgement phrasings found on the training sets' held-out misses.

use super::*;
use crate::scenario::Policy;

/// A reply read by the shipped rules alone, without the learned reader (which has seen the
/// training replies these rules are found on).
fn read_by_rules(text: &str) -> Reading {
    static RULES: std::sync::OnceLock<Analyser> = std::sync::OnceLock::new();
    let rules = RULES.get_or_init(|| Analyser::shipped().without_reader());
    let policy = Policy::default();
    let ctx = ReplyContext {
        customer_name: "Maria Lopez",
        policy: &policy,
        already_given: &[],
        call_at: None,
        flags: &[],
    };
    rules.read(text, &ctx)
}

/// Asserts, for each reply read by the rules alone, whether a finding of this criterion and
/// polarity is in its reading.
fn assert_rules_find(criterion: &str, polarity: Polarity, found: bool, replies: &[&str]) {
    for reply in replies {
        assert_eq!(
            read_by_rules(reply).has(criterion, polarity),
            found,
            "{criterion} {polarity:?} in: {reply}"
        );
    }
}

#[test]
fn lectures_and_records_held_against_the_customer_are_disrespect() {
    assert_rules_find(
        "empathy.respect",
        Polarity::Bad,
        true,
        &[
            "For future reference, it's always worth waiting a full minute before paying again.",
            "Going forward, it's a good idea to check the returns date as soon as a parcel arrives.",
            "That's not what our records show; your line tested fine this morning.",
            "Have you actually tried turning the router off and on?",
            "Surely a neighbour could have popped it in the post.",
            "Everyone's in the same boat today.",
            "You could have paid for next-day delivery if the date was that important.",
            "Like I've said, it's out of our hands.",
            "It's been one day, and you're hardly the only household affected.",
            "I've been an optical assistant for fifteen years, so I can tell you the prescription was right.",
            "We've been caring for dogs for twenty years, so I think we know what we're doing.",
            "As stated in our previous automatic replies, your case is being handled.",
            "Customers always say the damage was there before.",
            "Plenty of our customers manage on 4G for months, so try to keep this in proportion.",
            "Just for next time, you should always try the glasses on in store before you leave.",
        ],
    );
    assert_rules_find(
        "empathy.respect",
        Polarity::Bad,
        false,
        &[
            "If it helps for next time: a gate change email always gives the new gate in its first line.",
            "Our records show both payments, so the second one is ours to give back.",
            "It'll surely arrive tomorrow.",
            "I've been working here for two years, so I know the system well.",
        ],
    );
}

#[test]
fn sending_the_customer_to_read_it_themselves_is_deflection() {
    assert_rules_find(
        "ownership.no-deflection",
        Polarity::Bad,
        true,
        &[
            "It's all in the FAQ under charged twice.",
            "The returns portal will tell you whether you're eligible.",
            "The returns window is set out on the website, have a read.",
            "That's one for finance, they'll email you.",
            "If Saturday is that important, a local bike shop might be able to help you out.",
            "Maybe try working from a café until it's back.",
            "Our allergen policy is on the website if you'd like to read it.",
        ],
    );
    assert_rules_find(
        "ownership.no-deflection",
        Polarity::Bad,
        false,
        &["Let me have a look at the order."],
    );
}

#[test]
fn the_customers_side_named_is_acknowledged() {
    assert_rules_find(
        "empathy.acknowledge",
        Polarity::Good,
        true,
        &[
            "It was your gran's, and it's been through three moves. No wonder this one hurts.",
            "Seeing it go out twice with the rent due, that's the last thing anyone needs.",
            "You uploaded everything the same day we asked. You've done everything right.",
            "Two handover dates gone and you only found out when you rang us. That's not on.",
            "Five weeks in hospital. Of course you couldn't send it back in time.",
            "You can't keep losing jobs over this.",
            "Your whole house in one unit and no idea what state it's in. That's a lot of worry.",
            "You did everything right, paid on time, and you're still the one paying for top-ups.",
            "You shouldn't have to worry about him any more.",
            "£450 with no warning, that's rough.",
            "Finding £450 gone from your card is maddening.",
        ],
    );
    assert_rules_find(
        "empathy.acknowledge",
        Polarity::Good,
        false,
        &[
            "The last thing to do is sign the form, then it goes to the team.",
            "That's tough to say for sure.",
        ],
    );
}
