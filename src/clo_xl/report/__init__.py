"""Reports for people: self-contained HTML pages (:mod:`.html`) and macro-free workbooks (:mod:`.xlsx`)."""
