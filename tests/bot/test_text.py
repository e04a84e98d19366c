from bot.text import escape_mrkdwn, is_note, slack_to_plain


def test_escape_neutralises_mentions_links_and_entities() -> None:
    hostile = "<!channel> <@U123> <https://evil.example|click> & <#C1|general>"
    escaped = escape_mrkdwn(hostile)
    assert "<" not in escaped and ">" not in escaped
    assert escaped == (
        "&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|click&gt; &amp; "
        "&lt;#C1|general&gt;"
    )


def test_escape_does_not_double_escape_what_it_produced() -> None:
    assert escape_mrkdwn("&amp;") == "&amp;amp;"


def test_notes_are_recognised_case_insensitively_after_spaces() -> None:
    assert is_note("note: call back tomorrow")
    assert is_note("  NOTE: x")
    assert is_note("// internal")
    assert not is_note("Noted, thanks")
    assert not is_note("see https://x.example//path")


def test_slack_markup_becomes_plain_text_for_a_phone() -> None:
    text = "Hi <@U1>, see <https://acme.example/faq|our FAQ> &amp; <https://acme.example> &lt;3"
    assert slack_to_plain(text, user_names={"U1": "Ann"}) == (
        "Hi @Ann, see our FAQ (https://acme.example/faq) & https://acme.example <3"
    )
    assert slack_to_plain("<mailto:a@b.example|a@b.example>") == "a@b.example"
    assert slack_to_plain("<!here>") == "@here"
