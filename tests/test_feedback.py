"""Feedback pages: nothing runs, nothing loads from the network, what went wrong is said."""

from __future__ import annotations

from dcai_helpers.grading.feedback import make_safe, status_page


def test_make_safe_drops_scripts_handlers_and_script_urls_but_not_text():
    page = (
        "<p>one = 2 &lt;script&gt;</p><script src='https://cdn.example/mathjax.js'> </script>"
        "<img src=x onerror=\"alert(1)\"><a href='JavaScript:alert(2)'>a</a>"
        "<link rel='stylesheet' href='https://cdn.example/x.css'><iframe src='//evil'></iframe>"
    )
    safe = make_safe(page)
    assert "<script" not in safe.lower() and "onerror" not in safe and "javascript:" not in safe.lower()
    assert "cdn.example" not in safe and "<iframe" not in safe
    assert "<p>one = 2 &lt;script&gt;</p>" in safe


def test_a_status_page_says_what_was_expected(tmp_path):
    page = tmp_path / "feedback.html"
    status_page(
        page,
        student_id="José <b>",
        lab_id="tiny_lab",
        status="missing",
        detail="no tiny_lab/tiny_lab.ipynb in the student's folder.",
        score=0,
        max_score=3,
        expected="tiny_lab/tiny_lab.ipynb",
    )
    text = page.read_text(encoding="utf-8")
    assert "José &lt;b&gt;" in text and "a notebook named tiny_lab/tiny_lab.ipynb" in text
    assert "What to do" in text and "logs/" not in text
