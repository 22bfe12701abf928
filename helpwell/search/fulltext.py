"""The full-text machinery over the index tables, per database vendor (see migration 0002)."""

from typing import Any

SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"

# (fts table, content table, rowid column, columns, fts5 options)
SQLITE_TABLES = [
    ("search_article_fts", "search_articledoc", "id", ("title", "body"), f"tokenize='{SQLITE_TOKENIZER}', prefix='2 3'"),
    ("search_ticket_fts", "search_ticketdoc", "ticket_id", ("subject", "public_text", "internal_text"),
     f"tokenize='{SQLITE_TOKENIZER}', prefix='3'"),
    ("search_person_fts", "search_persondoc", "id", ("name", "detail"),
     "tokenize='unicode61 remove_diacritics 2', prefix='2 3'"),
]  # fmt: skip


def sqlite_statements() -> list[str]:
    out = []
    for fts, content, rowid, columns, options in SQLITE_TABLES:
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        out += [
            f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{content}', content_rowid='{rowid}', {options})",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {content} BEGIN "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.{rowid}, {new}); END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {content} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.{rowid}, {old}); END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {content} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.{rowid}, {old}); "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.{rowid}, {new}); END",
        ]
    return out


def sqlite_drop_statements() -> list[str]:
    out = []
    for fts, _content, *_ in SQLITE_TABLES:
        out += [f"DROP TRIGGER IF EXISTS {fts}_{s}" for s in ("ai", "ad", "au")]
        out.append(f"DROP TABLE IF EXISTS {fts}")
    return out


# Each language's own stemming; the function is IMMUTABLE so generated columns may use it.
PG_LANGUAGE_CONFIGS = {
    "en": "english", "de": "german", "fr": "french", "es": "spanish", "nl": "dutch", "it": "italian",
    "pt": "portuguese",
}  # fmt: skip


def pg_statements() -> list[str]:
    cases = " ".join(f"WHEN '{code}' THEN '{cfg}'::regconfig" for code, cfg in PG_LANGUAGE_CONFIGS.items())
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE OR REPLACE FUNCTION helpwell_regconfig(lang text) RETURNS regconfig "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE lang {cases} ELSE 'simple'::regconfig END $$",
        "ALTER TABLE search_articledoc ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector(helpwell_regconfig(language), title), 'A') || "
        "setweight(to_tsvector(helpwell_regconfig(language), body), 'B')) STORED",
        "CREATE INDEX search_articledoc_tsv ON search_articledoc USING gin (tsv)",
        "CREATE INDEX search_articledoc_title_trgm ON search_articledoc USING gin (title gin_trgm_ops)",
        "ALTER TABLE search_ticketdoc ADD COLUMN tsv_public tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english'::regconfig, subject), 'A') || "
        "setweight(to_tsvector('english'::regconfig, public_text), 'B')) STORED",
        "ALTER TABLE search_ticketdoc ADD COLUMN tsv_internal tsvector GENERATED ALWAYS AS ("
        "to_tsvector('english'::regconfig, internal_text)) STORED",
        "CREATE INDEX search_ticketdoc_tsv_public ON search_ticketdoc USING gin (tsv_public)",
        "CREATE INDEX search_ticketdoc_tsv_internal ON search_ticketdoc USING gin (tsv_internal)",
        "CREATE INDEX search_ticketdoc_subject_trgm ON search_ticketdoc USING gin (subject gin_trgm_ops)",
        "ALTER TABLE search_persondoc ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
        "to_tsvector('simple'::regconfig, name || ' ' || detail)) STORED",
        "CREATE INDEX search_persondoc_tsv ON search_persondoc USING gin (tsv)",
        "CREATE INDEX search_persondoc_name_trgm ON search_persondoc USING gin (name gin_trgm_ops)",
    ]


def pg_drop_statements() -> list[str]:
    return [
        "ALTER TABLE search_persondoc DROP COLUMN IF EXISTS tsv",
        "ALTER TABLE search_ticketdoc DROP COLUMN IF EXISTS tsv_public",
        "ALTER TABLE search_ticketdoc DROP COLUMN IF EXISTS tsv_internal",
        "ALTER TABLE search_articledoc DROP COLUMN IF EXISTS tsv",
        "DROP INDEX IF EXISTS search_articledoc_title_trgm",
        "DROP INDEX IF EXISTS search_ticketdoc_subject_trgm",
        "DROP INDEX IF EXISTS search_persondoc_name_trgm",
    ]


def create(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_statements, "postgresql": pg_statements}.get(vendor)
    if statements is None:
        raise RuntimeError(f"Helpwell search supports SQLite and PostgreSQL, not {vendor}.")
    for sql in statements():
        schema_editor.execute(sql)


def drop(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_drop_statements, "postgresql": pg_drop_statements}[vendor]
    for sql in statements():
        schema_editor.execute(sql)


# Near misses on SQLite: a trigram index of article titles (FTS5's trigram tokenizer), so a word
# typed with a slip still finds the titles that share most of its three-letter pieces.
SQLITE_TRIGRAM = [
    "CREATE VIRTUAL TABLE search_article_trgm USING fts5(title, content='search_articledoc', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER search_article_trgm_ai AFTER INSERT ON search_articledoc BEGIN "
    "INSERT INTO search_article_trgm(rowid, title) VALUES (new.id, new.title); END",
    "CREATE TRIGGER search_article_trgm_ad AFTER DELETE ON search_articledoc BEGIN "
    "INSERT INTO search_article_trgm(search_article_trgm, rowid, title) VALUES ('delete', old.id, old.title); END",
    "CREATE TRIGGER search_article_trgm_au AFTER UPDATE ON search_articledoc BEGIN "
    "INSERT INTO search_article_trgm(search_article_trgm, rowid, title) VALUES ('delete', old.id, old.title); "
    "INSERT INTO search_article_trgm(rowid, title) VALUES (new.id, new.title); END",
    "INSERT INTO search_article_trgm(search_article_trgm) VALUES ('rebuild')",
]


def create_trigram(schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":  # PostgreSQL has pg_trgm (migration 0002)
        for sql in SQLITE_TRIGRAM:
            schema_editor.execute(sql)


def drop_trigram(schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for sql in [f"DROP TRIGGER IF EXISTS search_article_trgm_{s}" for s in ("ai", "ad", "au")]:
            schema_editor.execute(sql)
        schema_editor.execute("DROP TABLE IF EXISTS search_article_trgm")
