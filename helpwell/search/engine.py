"""One search interface, two engines: SQLite FTS5 (bm25) and PostgreSQL tsvector + GIN + pg_trgm.

Everything here returns ids, scores and highlighted snippets; helpwell.search.service decides who
may see what and turns ids into objects. Snippets are HTML-escaped here, with <mark> around hits.
"""

import bisect
import difflib
import html
import math
import re
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection

from .fulltext import PG_LANGUAGE_CONFIGS as PG_CONFIGS

# Words that carry no meaning for finding an answer, in the languages of the demo.
_STOP_TEXT = """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours ourselves out over own same she should so
    some such than that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves hi hello hey thanks thank please help anyone im ive dont doesnt cant cannot
    get got getting still also really since tried trying want wanted need needs know way ok okay just
    der die das und ist ich ein eine einen nicht mit wie was mein meine bei auf für von zu den dem im es
    kann wird hallo bitte danke"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
WORD_RE = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 16
NEAR_MISS = 0.8  # how alike a typed word and a title word must be for a near miss (difflib ratio)
HIT_OPEN, HIT_CLOSE = "\u27e6", "\u27e7"  # sentinels, turned into <mark> after escaping


@dataclass(frozen=True)
class Query:
    terms: tuple[str, ...]
    prefix_last: bool  # the person is still typing the last word

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse(text: str, *, typing: bool = False) -> Query:
    """Meaningful words of what someone typed, lower-cased, in order, without repeats."""
    text = (text or "")[:1000]
    words = [w.lower().replace("_", "") for w in WORD_RE.findall(text)]
    seen: list[str] = []
    for w in words:
        if len(w) < 2 or w in STOP_WORDS or w in seen:
            continue
        seen.append(w)
    terms = tuple(seen[:MAX_TERMS])
    prefix_last = bool(typing and terms and words and words[-1] == terms[-1] and not text[-1:].isspace())
    if prefix_last and len(terms[-1]) < 3:
        # Two letters into a word say little and match half the index: wait for the third.
        terms, prefix_last = terms[:-1], False
    return Query(terms, prefix_last)


def _closeness(terms: list[str], title: str) -> float:
    """How alike the closest pair of a typed word and a title word are (0 to 1)."""
    words = [w.lower() for w in WORD_RE.findall(title)]
    return max((difflib.SequenceMatcher(None, t, w).ratio() for t in terms for w in words), default=0.0)


def marked(snippet: str | None) -> str:
    escaped = html.escape(snippet or "")
    return escaped.replace(HIT_OPEN, "<mark>").replace(HIT_CLOSE, "</mark>")


@dataclass
class Hit:
    id: int
    score: float
    snippet: str = ""
    title: str = ""


# --- SQLite ----------------------------------------------------------------------------------------


def _fts_term(term: str, prefix: bool) -> str:
    return '"' + term.replace('"', "") + '"' + ("*" if prefix else "")


def _fts_query(q: Query, *, any_term: bool) -> str:
    last = len(q.terms) - 1
    parts = [_fts_term(t, q.prefix_last and i == last) for i, t in enumerate(q.terms)]
    return (" OR " if any_term else " ").join(parts)


def _placeholders(values: Any) -> str:
    return ", ".join(["%s"] * len(values))


TICKET_COLUMN_WEIGHTS = (4.0, 1.0, 1.0)  # subject, public replies, internal notes
BM25_K1, BM25_B = 1.2, 0.75


def ticket_rank(marked_columns: list[tuple[str | None, ...]], weights: tuple[float, ...]) -> list[float]:
    """BM25 without the IDF, from each match's columns with its hits marked (FTS5's highlight()):
    hits in a column count for less the longer the column is against the others found."""
    lengths = [[len((text or "").split()) for text in columns] for columns in marked_columns]
    averages = [max(1.0, sum(col) / len(lengths)) for col in zip(*lengths, strict=True)] if lengths else []
    scores = []
    for columns, sizes in zip(marked_columns, lengths, strict=True):
        score = 0.0
        for text, size, average, weight in zip(columns, sizes, averages, weights, strict=True):
            hits = (text or "").count(HIT_OPEN)
            if hits and weight:
                norm = BM25_K1 * (1 - BM25_B + BM25_B * size / average)
                score += weight * hits * (BM25_K1 + 1) / (hits + norm)
        scores.append(score)
    return scores


class SqliteEngine:
    vendor = "sqlite"

    def __init__(self) -> None:
        self._doc_counts: dict[str, int] = {}
        self._articles_total: int | None = None
        self._doc_counts_until = 0.0

    def _doc_count(self, cursor: Any, term: str) -> int:
        """How many article documents hold a word, remembered for ten minutes."""
        if self._doc_counts_until < time.monotonic() or len(self._doc_counts) > 50_000:
            self.forget_lexicon()
            self._doc_counts_until = time.monotonic() + IDF_SECONDS
        if term not in self._doc_counts:
            cursor.execute(
                "SELECT count(*) FROM search_article_fts WHERE search_article_fts MATCH %s",
                [_fts_term(term, False)],
            )
            self._doc_counts[term] = cursor.fetchone()[0]
        return self._doc_counts[term]

    def _doc_count_total(self, cursor: Any) -> int:
        if self._articles_total is None:
            cursor.execute("SELECT count(*) FROM search_articledoc")
            self._articles_total = cursor.fetchone()[0]
        return self._articles_total

    def forget_lexicon(self) -> None:
        self._doc_counts, self._articles_total = {}, None

    def _suggestion_terms(self, cursor: Any, q: Query) -> Query:
        """The SQLITE_TERMS rarest words typed (and the one being typed): bm25 must score every article
        a word matches, and the commonest words, matching thousands, add least to the ranking."""
        settled = q.terms[:-1] if q.prefix_last else q.terms
        if len(settled) <= 1:
            return q
        counts = {t: self._doc_count(cursor, t) for t in settled}
        # A word in a large share of the articles tells little (bm25 gives it a small weight) but
        # makes bm25 score every one of them; it is left out while rarer words remain.
        common = self._doc_count_total(cursor) * SQLITE_COMMON_SHARE
        known = sorted((t for t in settled if counts[t]), key=lambda t: counts[t])
        telling = [t for t in known if counts[t] <= common] or known[:1]
        rarest = set(telling[:SQLITE_TERMS])
        kept = tuple(t for t in settled if t in rarest) + (q.terms[-1:] if q.prefix_last else ())
        return Query(kept, q.prefix_last) if kept else q

    def articles(self, q: Query, *, language: str, visibilities: list[str], limit: int,
                 any_term: bool = True) -> list[Hit]:  # fmt: skip
        typed = q
        with connection.cursor() as cursor:
            if any_term:
                q = self._suggestion_terms(cursor, q)
        match = _fts_query(q, any_term=any_term)
        # Rank first, then snippets for the few results only: SQLite would otherwise make a snippet
        # for every matching article before sorting.
        # FTS5 ranks inside the virtual table (ORDER BY rank) about twice as fast as bm25() in a join;
        # the best few are then checked against language, state and visibility. Should the filter
        # leave too few, the join asks again over every match.
        top = (
            "SELECT d.id, d.article_id, f.rank AS score, d.title FROM (SELECT rowid, rank FROM search_article_fts "
            "WHERE search_article_fts MATCH %s AND rank MATCH 'bm25(8.0, 1.0)' ORDER BY rank LIMIT %s) f "
            "JOIN search_articledoc d ON d.id = f.rowid "
            f"WHERE d.language = %s AND d.published AND d.visibility IN ({_placeholders(visibilities)}) "
            "ORDER BY f.rank LIMIT %s"
        )
        every = (
            "SELECT d.id, d.article_id, bm25(search_article_fts, 8.0, 1.0) AS score, d.title "
            "FROM search_article_fts JOIN search_articledoc d ON d.id = search_article_fts.rowid "
            f"WHERE search_article_fts MATCH %s AND d.language = %s AND d.published "
            f"AND d.visibility IN ({_placeholders(visibilities)}) ORDER BY score LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(top, [match, limit * 10, language, *visibilities, limit])
            rows = cursor.fetchall()
            if len(rows) < limit:
                cursor.execute(every, [match, language, *visibilities, limit])
                rows = cursor.fetchall()
            if len(rows) < limit and q != typed:
                # The common words left out may still find articles the rarer ones did not (or only
                # ones this reader may not see): ask again with every word.
                match = _fts_query(typed, any_term=any_term)
                cursor.execute(every, [match, language, *visibilities, limit])
                rows = cursor.fetchall()
            if not rows:
                return self._near_misses(cursor, q, language, visibilities, limit) if any_term else []
            doc_ids = [r[0] for r in rows]
            cursor.execute(
                f"SELECT rowid, snippet(search_article_fts, 1, '{HIT_OPEN}', '{HIT_CLOSE}', '…', 18) "
                f"FROM search_article_fts WHERE search_article_fts MATCH %s AND rowid IN ({_placeholders(doc_ids)})",
                [match, *doc_ids],
            )
            snippets = dict(cursor.fetchall())
            return [Hit(r[1], -r[2], marked(snippets.get(r[0])), r[3]) for r in rows]

    def _near_misses(
        self, cursor: Any, q: Query, language: str, visibilities: list[str], limit: int
    ) -> list[Hit]:
        """Nothing matched word for word: titles sharing most three-letter pieces with a word typed
        (the trigram index), kept only when a title word is really close to it."""
        pieces = {t[i : i + 3] for t in q.terms if len(t) >= 4 for i in range(len(t) - 2)}
        if not pieces:
            return []
        match = " OR ".join(f'"{p}"' for p in sorted(pieces)[:40])
        cursor.execute(
            "SELECT d.article_id, d.title FROM search_article_trgm t JOIN search_articledoc d ON d.id = t.rowid "
            f"WHERE search_article_trgm MATCH %s AND d.language = %s AND d.published "
            f"AND d.visibility IN ({_placeholders(visibilities)}) ORDER BY t.rank LIMIT 50",
            [match, language, *visibilities],
        )
        hits = []
        for article_id, title in cursor.fetchall():
            closeness = _closeness([t for t in q.terms if len(t) >= 4], title)
            if closeness >= NEAR_MISS:
                hits.append(Hit(article_id, closeness, "", title))
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]

    def tickets(
        self, q: Query, *, scope: "TicketScope", internal: bool, limit: int, window: int
    ) -> list[Hit]:
        match = _fts_query(q, any_term=False)
        if not internal:
            match = "{subject public_text} : (" + match + ")"
        where, params = scope.sql("t")
        # The most recent matches first: FTS5 walks its doclists backwards and stops. They are ranked
        # here, not by bm25(): that counts, for every word, all the documents holding it (its IDF), a
        # full read of the word's doclist that took 20–35 ms for a common word at a million tickets.
        # Within one search every match holds every word, so the IDF hardly moves the order; what
        # does is where the words are and how often, against how long the text is (ticket_rank).
        marks = ", ".join(f"highlight(search_ticket_fts, {c}, '{HIT_OPEN}', '{HIT_CLOSE}')" for c in range(3))
        sql = (
            f"SELECT f.rowid, {marks} FROM search_ticket_fts f "
            "JOIN tickets_ticket t ON t.id = f.rowid "
            f"WHERE search_ticket_fts MATCH %s {where} ORDER BY f.rowid DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, *params, window])
            found = cursor.fetchall()
            weights = TICKET_COLUMN_WEIGHTS if internal else TICKET_COLUMN_WEIGHTS[:2] + (0.0,)
            scores = ticket_rank([r[1:] for r in found], weights)
            ranked = sorted(zip((r[0] for r in found), scores, strict=True), key=lambda r: (-r[1], -r[0]))
            hits = [Hit(ticket_id, score) for ticket_id, score in ranked[:limit]]
            if hits:
                ids = [h.id for h in hits]
                column = -1 if internal else 1
                cursor.execute(
                    f"SELECT rowid, snippet(search_ticket_fts, {column}, '{HIT_OPEN}', '{HIT_CLOSE}', '…', 16) "
                    f"FROM search_ticket_fts WHERE search_ticket_fts MATCH %s AND rowid IN ({_placeholders(ids)})",
                    [match, *ids],
                )
                snippets = dict(cursor.fetchall())
                for h in hits:
                    h.snippet = marked(snippets.get(h.id))
        return hits

    def people(self, q: Query, *, limit: int) -> list[Hit]:
        match = _fts_query(Query(q.terms, True), any_term=False)
        sql = (
            "SELECT d.id, bm25(search_person_fts, 3.0, 1.0) AS score FROM search_person_fts "
            "JOIN search_persondoc d ON d.id = search_person_fts.rowid "
            "WHERE search_person_fts MATCH %s ORDER BY score LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, limit])
            return [Hit(r[0], -r[1]) for r in cursor.fetchall()]


# --- PostgreSQL ------------------------------------------------------------------------------------


def _ts_query(q: Query, *, any_term: bool) -> str:
    last = len(q.terms) - 1
    parts = [t + (":*" if q.prefix_last and i == last else "") for i, t in enumerate(q.terms)]
    return (" | " if any_term else " & ").join(parts)


HEADLINE = f"StartSel={HIT_OPEN}, StopSel={HIT_CLOSE}, MaxWords=30, MinWords=12, MaxFragments=1"
IDF_SECONDS = 600
PG_CANDIDATES = 200  # articles matching the rarest words that get the full score
# A ticket search first reads the newest PROBE_SPAN documents in key order, then either reads on in
# key order (at most SCAN_BUDGET more) or turns to the GIN index, whichever its figures say is cheaper.
PROBE_SPAN = 4_000
PROBE_MATCHES = 600  # the first read stops after this many matches, visible or not
SCAN_BUDGET = 10_000
# Measured at a million tickets: reading a document in key order costs about 1 µs, and the GIN index
# about 0.2 µs per document that holds the word (it builds a bitmap of all of them, however old).
SCAN_COST_PER_ROW, GIN_COST_PER_MATCH = 1.0, 0.2
# One term's share of an article's score: a title match counts most, then how often and how densely
# the term appears in the body (ts_rank, length-normalised), all times the term's rarity (IDF).
PG_TERM_SCORE = (
    "(CASE WHEN d.tsv @@ to_tsquery(%s::regconfig, %s) THEN 1 ELSE 0 END "
    "+ ts_rank('{0.1, 0.2, 1.0, 1.0}', d.tsv, to_tsquery(%s::regconfig, %s), 1) * 80) * %s"
)
CANDIDATE_TERMS = 4
SQLITE_TERMS = 4
SQLITE_COMMON_SHARE = 0.2


class PostgresEngine:
    vendor = "postgresql"

    def __init__(self) -> None:
        self._lexicons: dict[str, tuple[float, int, dict[str, int], list[str]]] = {}
        self._stem_cache: dict[tuple[str, str], str] = {}

    def _lexicon(self, cursor: Any, language: str) -> tuple[int, dict[str, int], list[str]]:
        """How many published articles contain each lexeme (ts_stat), refreshed every ten minutes."""
        cached = self._lexicons.get(language)
        if cached is None or cached[0] < time.monotonic():
            if language not in PG_CONFIGS:
                return 1, {}, []
            cursor.execute(
                "SELECT count(*) FROM search_articledoc WHERE published AND language = %s", [language]
            )
            total = cursor.fetchone()[0]
            inner = f"SELECT tsv FROM search_articledoc WHERE published AND language = '{language}'"
            cursor.execute("SELECT word, ndoc FROM ts_stat(%s)", [inner])
            ndoc = dict(cursor.fetchall())
            cached = (time.monotonic() + IDF_SECONDS, max(1, total), ndoc, sorted(ndoc))
            self._lexicons[language] = cached
        return cached[1], cached[2], cached[3]

    def _stems(self, cursor: Any, terms: tuple[str, ...], cfg: str) -> list[str]:
        missing = [t for t in terms if (cfg, t) not in self._stem_cache]
        if missing:
            cursor.execute(
                "SELECT " + ", ".join(["strip(to_tsvector(%s::regconfig, %s))::text"] * len(missing)),
                [p for t in missing for p in (cfg, t)],
            )
            for term, vector in zip(missing, cursor.fetchone(), strict=True):
                if len(self._stem_cache) > 50_000:
                    self._stem_cache.clear()
                self._stem_cache[(cfg, term)] = vector.split(" ")[0].strip("'") if vector else ""
        return [self._stem_cache[(cfg, t)] for t in terms]

    def _term_stats(self, cursor: Any, q: Query, language: str, cfg: str) -> list[tuple[float, int]]:
        """(inverse document frequency, document frequency) of each term among published articles.

        PostgreSQL's ts_rank knows nothing of how rare a word is; without this, "the app" would rank
        as well as "thermostat"."""
        total, ndoc, words = self._lexicon(cursor, language)
        out = []
        for i, stem in enumerate(self._stems(cursor, q.terms, cfg)):
            if not stem:
                df = 0
            elif q.prefix_last and i == len(q.terms) - 1:
                start = bisect.bisect_left(words, stem)
                df = 0
                for word in words[start : start + 200]:
                    if not word.startswith(stem):
                        break
                    df = max(df, ndoc[word])
            else:
                df = ndoc.get(stem, 0)
            out.append((math.log(1 + (total - df + 0.5) / (df + 0.5)), df))
        return out

    def forget_lexicon(self) -> None:
        """Articles changed in this process: count the words afresh on the next search."""
        self._lexicons.clear()

    def articles(self, q: Query, *, language: str, visibilities: list[str], limit: int,
                 any_term: bool = True) -> list[Hit]:  # fmt: skip
        cfg = PG_CONFIGS.get(language, "simple")
        with connection.cursor() as cursor:
            stats = self._term_stats(cursor, q, language, cfg)
            last = len(q.terms) - 1
            lexemes = [t + (":*" if q.prefix_last and i == last else "") for i, t in enumerate(q.terms)]
            score_parts: list[str] = []
            score_params: list[Any] = []
            stems = self._stems(cursor, q.terms, cfg)
            for lexeme, stem, (weight, _df) in zip(lexemes, stems, stats, strict=True):
                if not stem:  # a stop word for this language
                    continue
                score_parts.append(PG_TERM_SCORE)
                score_params += [cfg, lexeme + ("A" if lexeme.endswith(":*") else ":A"), cfg, lexeme, weight]
            # Candidates come from the rarest words that occur at all: a word in most articles ("app",
            # "order") would make every article a candidate and tell nothing about which is right.
            # Words the counts do not know yet (an article published in another process in the last
            # minutes) still take part, after the known ones.
            present = sorted(
                ((df > 0, w, lx) for lx, stem, (w, df) in zip(lexemes, stems, stats, strict=True) if stem),
                reverse=True,
            )
            if not score_parts:
                hits: list[Hit] = []
            else:
                candidates = [lx for _, _, lx in present[:CANDIDATE_TERMS]] if any_term else lexemes
                tsq = (" | " if any_term else " & ").join(candidates)
                score = " + ".join(score_parts)
                # The regconfig and queries are literals, so PostgreSQL parses each query once, not per row.
                sql = (
                    "WITH c AS (SELECT d.article_id, d.title, d.body, d.tsv FROM search_articledoc d "
                    f"WHERE d.language = %s AND d.published AND d.visibility IN ({_placeholders(visibilities)}) "
                    f"AND d.tsv @@ to_tsquery(%s::regconfig, %s) LIMIT {PG_CANDIDATES}), "
                    f"s AS (SELECT d.article_id, d.title, d.body, {score} AS score "
                    "FROM c AS d ORDER BY score DESC, d.article_id LIMIT %s) "
                    "SELECT s.article_id, s.score, ts_headline(%s::regconfig, left(s.body, 4000), "
                    "to_tsquery(%s::regconfig, %s), %s), s.title FROM s ORDER BY s.score DESC, s.article_id"
                )
                cursor.execute(
                    sql,
                    [language, *visibilities, cfg, tsq, *score_params, limit, cfg, cfg, tsq, HEADLINE],
                )
                hits = [Hit(r[0], float(r[1]), marked(r[2]), r[3]) for r in cursor.fetchall()]
            if hits or not any_term:
                return hits
            # Nothing matched word for word: titles that share three-letter pieces with a word typed
            # (pg_trgm's index, with a low bar), kept only when a title word is really close to it.
            hits = []
            cursor.execute("SET pg_trgm.word_similarity_threshold = 0.3")
            for term in [t for t in q.terms if len(t) >= 4][:4]:
                cursor.execute(
                    "SELECT d.article_id, d.title FROM search_articledoc d "
                    f"WHERE %s <%% d.title AND d.language = %s AND d.published "
                    f"AND d.visibility IN ({_placeholders(visibilities)}) "
                    "ORDER BY word_similarity(%s, d.title) DESC LIMIT 50",
                    [term, language, *visibilities, term],
                )
                for article_id, title in cursor.fetchall():
                    closeness = _closeness([term], title)
                    if closeness >= NEAR_MISS and all(h.id != article_id for h in hits):
                        hits.append(Hit(article_id, closeness, "", title))
            cursor.execute("SET pg_trgm.word_similarity_threshold = 0.6")
            hits.sort(key=lambda h: -h.score)
            return hits[:limit]

    def tickets(
        self, q: Query, *, scope: "TicketScope", internal: bool, limit: int, window: int
    ) -> list[Hit]:
        tsq = _ts_query(q, any_term=False)
        where, params = scope.sql("t")
        # ts_match_vq is the function behind @@: the same test, but one the planner cannot answer from
        # the GIN index, so these queries read the newest documents in key order and stop early.
        scan = "ts_match_vq(d.tsv_public, q.q)" + (" OR ts_match_vq(d.tsv_internal, q.q)" if internal else "")
        indexed = "d.tsv_public @@ q.q" + (" OR d.tsv_internal @@ q.q" if internal else "")
        rank = "ts_rank(d.tsv_public, q.q)" + (" + ts_rank(d.tsv_internal, q.q) * 0.5" if internal else "")
        head = "WITH q AS (SELECT to_tsquery('english', %s) AS q) "
        body = "FROM search_ticketdoc d JOIN tickets_ticket t ON t.id = d.ticket_id, q WHERE ({test}) "
        with connection.cursor() as cursor:
            if scope.customer_id is not None:
                # A customer's own tickets are few: read them all through the ticket table's index.
                cursor.execute(
                    head
                    + f"SELECT d.ticket_id, {rank} "
                    + body.replace("{test}", scan)
                    + where
                    + " ORDER BY d.ticket_id DESC LIMIT %s",
                    [tsq, *params, window],
                )
                return self._ticket_hits(cursor, cursor.fetchall(), q, tsq, where, params,
                                         internal=internal, limit=limit, window=window)  # fmt: skip
            newest = self._newest_ticket(cursor)
            # 1. The newest documents, every match, each marked whether the searcher may see it: how
            #    common the words are overall and within the searcher's scope decides what comes next.
            floor = max(0, newest - PROBE_SPAN)
            cursor.execute(
                head
                + f"SELECT d.ticket_id, CASE WHEN TRUE {where} THEN {rank} END "
                + body.replace("{test}", scan)
                + "AND d.ticket_id > %s ORDER BY d.ticket_id DESC LIMIT %s",
                [tsq, *params, floor, PROBE_MATCHES],
            )
            probed = cursor.fetchall()
            if len(probed) == PROBE_MATCHES:  # a common word: what was read already says enough
                floor = probed[-1][0] - 1
            rows = [(i, r) for i, r in probed if r is not None][:window]
            plan = _plan_ticket_search(read=newest - floor, matches=len(probed), visible=len(rows),
                                       limit=limit, window=window, newest=newest)  # fmt: skip
            ranked = (
                head
                + "SELECT d.ticket_id, {rank} FROM (SELECT d.ticket_id "
                + body
                + where
                + " AND d.ticket_id <= %s AND d.ticket_id > %s "
                "ORDER BY d.ticket_id DESC LIMIT %s) m JOIN search_ticketdoc d ON d.ticket_id = m.ticket_id, q"
            ).replace("{rank}", rank)
            # 2. Read on in key order (it stops as soon as the window is full) ...
            if floor and plan == "scan":
                lowest = max(0, floor - SCAN_BUDGET)
                cursor.execute(
                    ranked.replace("{test}", scan), [tsq, *params, floor, lowest, window - len(rows)]
                )
                rows += cursor.fetchall()
                floor = lowest
            # 3. ... or, for words rare among recent tickets, the GIN index ANDed with a primary-key
            #    range that widens ×8, until a page is full or every ticket has been looked at.
            span = PROBE_SPAN * 8
            while floor and plan != "done" and len(rows) < limit:
                lowest = max(0, floor - span)
                cursor.execute(
                    ranked.replace("{test}", indexed), [tsq, *params, floor, lowest, window - len(rows)]
                )
                rows += cursor.fetchall()
                floor, span = lowest, span * 8
            return self._ticket_hits(cursor, rows, q, tsq, where, params,
                                     internal=internal, limit=limit, window=window)  # fmt: skip

    @staticmethod
    def _newest_ticket(cursor: Any) -> int:
        cursor.execute("SELECT max(ticket_id) FROM search_ticketdoc")
        return cursor.fetchone()[0] or 0

    def _ticket_hits(self, cursor: Any, rows: list[tuple[int, float]], q: Query, tsq: str, where: str,
                     params: list[Any], *, internal: bool, limit: int, window: int) -> list[Hit]:  # fmt: skip
        """The best `limit` of the matches found, with snippets; near misses when nothing matched."""
        if not rows:
            newest = self._newest_ticket(cursor)
            # Near misses in the subject (a typo, a word half remembered), among recent tickets.
            text = " ".join(q.terms)
            cursor.execute(
                "SELECT d.ticket_id, word_similarity(%s, d.subject) FROM search_ticketdoc d "
                f"JOIN tickets_ticket t ON t.id = d.ticket_id WHERE %s <%% d.subject AND d.ticket_id > %s {where} "
                "ORDER BY d.ticket_id DESC LIMIT %s",
                [text, text, max(0, newest - PROBE_SPAN * 8), *params, window],
            )
            rows = cursor.fetchall()
        rows.sort(key=lambda r: (-r[1], -r[0]))
        hits = [Hit(r[0], float(r[1])) for r in rows[:limit]]
        if hits:
            ids = [h.id for h in hits]
            column = "d.subject || ' — ' || d.public_text" + (
                " || ' ' || d.internal_text" if internal else ""
            )
            column = f"left({column}, 3000)"  # ts_headline parses all it is given
            cursor.execute(
                f"SELECT d.ticket_id, ts_headline('english', {column}, to_tsquery('english', %s), %s) "
                f"FROM search_ticketdoc d WHERE d.ticket_id IN ({_placeholders(ids)})",
                [tsq, HEADLINE, *ids],
            )
            snippets = dict(cursor.fetchall())
            for h in hits:
                h.snippet = marked(snippets.get(h.id))
        return hits

    def people(self, q: Query, *, limit: int) -> list[Hit]:
        tsq = _ts_query(Query(q.terms, True), any_term=False)
        text = " ".join(q.terms)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT d.id, ts_rank(d.tsv, to_tsquery('simple', %s)) + word_similarity(%s, d.name) AS score "
                "FROM search_persondoc d WHERE d.tsv @@ to_tsquery('simple', %s) OR %s <%% d.name "
                "ORDER BY score DESC LIMIT %s",
                [tsq, text, tsq, text, limit],
            )
            return [Hit(r[0], float(r[1])) for r in cursor.fetchall()]


def _plan_ticket_search(
    *, read: int, matches: int, visible: int, limit: int, window: int, newest: int
) -> str:
    """What a ticket search does after reading the `read` newest documents, of which `matches` hold
    the words and `visible` of those the searcher may see: "done", "scan" (read on in key order) or
    "index" (the GIN index).

    The results are the best `limit` of the newest `window` matches, or of as many as were found
    among the newest PROBE_SPAN + SCAN_BUDGET tickets once they fill a page; only when recent tickets
    cannot fill a page does the search reach further back. A word common overall but rare among the
    searcher's tickets is the case to get right: the index would fetch every ticket holding it,
    however old, while reading on stops at the budget.
    """
    if visible >= window or not read:
        return "done"
    density = visible / read
    if visible >= limit:  # a page is full: read on only while the window fills within the budget
        return "scan" if (window - visible) / density <= SCAN_BUDGET else "done"
    rows_to_fill_page = (limit - visible) / density if density else math.inf
    postings = matches / read * newest  # the words' share of recent tickets, taken as their share of all
    if rows_to_fill_page <= SCAN_BUDGET or postings * GIN_COST_PER_MATCH > SCAN_BUDGET * SCAN_COST_PER_ROW:
        return "scan"
    return "index"


@dataclass(frozen=True)
class TicketScope:
    """Which tickets a searcher may see, as SQL on the ticket table (mirrors tickets.access)."""

    everything: bool = False
    customer_id: int | None = None
    team_ids: tuple[int, ...] = ()
    assignee_id: int | None = None
    status: str = ""

    def sql(self, alias: str) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.customer_id is not None:
            clauses.append(f"{alias}.customer_id = %s")
            params.append(self.customer_id)
        elif not self.everything:
            ors = []
            if self.team_ids:
                ors.append(f"{alias}.team_id IN ({_placeholders(self.team_ids)})")
                params += list(self.team_ids)
            if self.assignee_id is not None:
                ors.append(f"{alias}.assignee_id = %s")
                params.append(self.assignee_id)
            clauses.append("(" + (" OR ".join(ors) or "1 = 0") + ")")
        if self.status == "open":
            clauses.append(f"{alias}.is_open")
        elif self.status:
            clauses.append(f"{alias}.status = %s")
            params.append(self.status)
        return "".join(" AND " + c for c in clauses), params


_engines: dict[str, Any] = {}


def engine() -> SqliteEngine | PostgresEngine:
    vendor = connection.vendor
    if vendor not in _engines:
        _engines[vendor] = {"sqlite": SqliteEngine, "postgresql": PostgresEngine}[vendor]()
    return _engines[vendor]
