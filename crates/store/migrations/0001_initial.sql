-- Dates are YYYY-MM-DD text, timestamps fixed-width RFC 3339 UTC text, flags 0/1, JSON as text.

CREATE TABLE organisations (
    id {id},
    name TEXT NOT NULL UNIQUE,
    timezone TEXT NOT NULL,
    policy TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE categories (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES categories(id),
    UNIQUE (org_id, name)
);

CREATE TABLE units (
    id {id},
    name TEXT NOT NULL UNIQUE,
    short_name TEXT,
    parent_id BIGINT REFERENCES units(id),
    doc_prefix TEXT,
    doc_prefix_suggestion TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id {id},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_id BIGINT REFERENCES units(id),
    org_id BIGINT REFERENCES organisations(id),
    sector TEXT,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE tokens (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT
);

CREATE TABLE sessions (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    body_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    term BIGINT NOT NULL,
    sitting BIGINT NOT NULL,
    opened_on TEXT NOT NULL,
    cosign_cutoff TEXT,
    next_number BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, kind, term, sitting)
);

CREATE TABLE items (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    session_id BIGINT NOT NULL REFERENCES sessions(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    origin TEXT NOT NULL,
    category_id BIGINT REFERENCES categories(id),
    collective_name TEXT,
    first_proposer_id BIGINT NOT NULL REFERENCES users(id),
    state TEXT NOT NULL,
    number BIGINT,
    submitted_on TEXT,
    filed_at TEXT,
    disposition TEXT,
    disposition_unit_id BIGINT REFERENCES units(id),
    merged_into BIGINT REFERENCES items(id),
    is_key BIGINT NOT NULL DEFAULT 0,
    key_leader TEXT,
    on_paper BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (session_id, number)
);
CREATE INDEX items_session_state ON items (session_id, state);
CREATE INDEX items_first_proposer ON items (first_proposer_id);

-- status: first | invited | confirmed | declined | paper
CREATE TABLE item_proposers (
    item_id BIGINT NOT NULL REFERENCES items(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    position BIGINT NOT NULL,
    status TEXT NOT NULL,
    responded_at TEXT,
    PRIMARY KEY (item_id, user_id)
);
CREATE INDEX item_proposers_user ON item_proposers (user_id);

CREATE TABLE assignments (
    id {id},
    item_id BIGINT NOT NULL REFERENCES items(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    state TEXT NOT NULL,
    assigned_on TEXT NOT NULL,
    return_by TEXT NOT NULL,
    first_consultation_by TEXT NOT NULL,
    co_opinion_by TEXT,
    reply_by TEXT,
    extended_reply_by TEXT,
    rehandling_reply_by TEXT,
    provisional BIGINT NOT NULL DEFAULT 0,
    accepted_at TEXT,
    rehandlings BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX assignments_item ON assignments (item_id);
CREATE INDEX assignments_unit_state ON assignments (unit_id, state);

CREATE TABLE adjustments (
    id {id},
    assignment_id BIGINT NOT NULL REFERENCES assignments(id),
    reason TEXT NOT NULL,
    proposal TEXT,
    state TEXT NOT NULL,
    was_accepted BIGINT NOT NULL,
    requested_by BIGINT NOT NULL REFERENCES users(id),
    decided_by BIGINT REFERENCES users(id),
    note TEXT,
    created_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX adjustments_assignment ON adjustments (assignment_id);

CREATE TABLE extensions (
    id {id},
    assignment_id BIGINT NOT NULL REFERENCES assignments(id),
    until_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    requested_by BIGINT NOT NULL REFERENCES users(id),
    decided_by BIGINT REFERENCES users(id),
    note TEXT,
    created_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX extensions_assignment ON extensions (assignment_id);

CREATE TABLE delegations (
    id {id},
    assignment_id BIGINT NOT NULL REFERENCES assignments(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    note TEXT,
    due_on TEXT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX delegations_assignment ON delegations (assignment_id);
CREATE INDEX delegations_unit ON delegations (unit_id);

CREATE TABLE consultations (
    id {id},
    assignment_id BIGINT NOT NULL REFERENCES assignments(id),
    method TEXT NOT NULL,
    held_on TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX consultations_assignment ON consultations (assignment_id);

-- Replies (kind 'reply') and co-opinions (kind 'co_opinion') share one shape and one flow.
CREATE TABLE documents (
    id {id},
    kind TEXT NOT NULL,
    assignment_id BIGINT NOT NULL REFERENCES assignments(id),
    round BIGINT NOT NULL,
    state TEXT NOT NULL,
    body TEXT NOT NULL,
    grade TEXT,
    disclosure TEXT NOT NULL,
    disclosure_reason TEXT,
    summary TEXT,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    doc_number TEXT,
    drafted_by BIGINT NOT NULL REFERENCES users(id),
    approved_by BIGINT REFERENCES users(id),
    reject_reason TEXT,
    sent_at TEXT,
    sent_on TEXT,
    evaluation_due TEXT,
    evaluation_provisional BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX documents_assignment ON documents (assignment_id, kind);

CREATE TABLE commitments (
    id {id},
    document_id BIGINT NOT NULL REFERENCES documents(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    text TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    percent BIGINT NOT NULL DEFAULT 0,
    status_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX commitments_document ON commitments (document_id);

CREATE TABLE commitment_progress (
    id {id},
    commitment_id BIGINT NOT NULL REFERENCES commitments(id),
    note TEXT NOT NULL,
    percent BIGINT,
    status TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX commitment_progress_commitment ON commitment_progress (commitment_id);

CREATE TABLE evaluations (
    id {id},
    assignment_id BIGINT NOT NULL REFERENCES assignments(id),
    document_id BIGINT NOT NULL REFERENCES documents(id),
    handling TEXT NOT NULL,
    result TEXT NOT NULL,
    comment TEXT,
    source TEXT NOT NULL,
    scan_ref TEXT,
    entered_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX evaluations_assignment ON evaluations (assignment_id);

CREATE TABLE supervisions (
    id {id},
    item_id BIGINT NOT NULL REFERENCES items(id),
    note TEXT NOT NULL,
    due_on TEXT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX supervisions_item ON supervisions (item_id);

CREATE TABLE publications (
    id {id},
    document_id BIGINT NOT NULL REFERENCES documents(id),
    version BIGINT NOT NULL,
    disclosure TEXT NOT NULL,
    source TEXT NOT NULL,
    editor TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    note TEXT,
    published_by BIGINT NOT NULL REFERENCES users(id),
    published_at TEXT NOT NULL,
    withdrawn_at TEXT,
    withdrawn_by BIGINT REFERENCES users(id),
    withdraw_reason TEXT,
    UNIQUE (document_id, version)
);

-- Append-only: nothing is ever updated or deleted here.
CREATE TABLE events (
    id {id},
    org_id BIGINT,
    item_id BIGINT,
    assignment_id BIGINT,
    document_id BIGINT,
    actor_id BIGINT,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    reason TEXT,
    data TEXT
);
CREATE INDEX events_item ON events (item_id);

-- Gap-free document numbers: one counter row per unit, year and series.
CREATE TABLE doc_series (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    year BIGINT NOT NULL,
    series TEXT NOT NULL,
    next BIGINT NOT NULL,
    PRIMARY KEY (unit_id, year, series)
);

-- National years added by an admin beyond the bundled ones, and local days off.
CREATE TABLE calendar_days (
    id {id},
    org_id BIGINT REFERENCES organisations(id),
    year BIGINT NOT NULL,
    day TEXT NOT NULL,
    off BIGINT NOT NULL,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);

-- Changes for the search indexer (and any other follower) to pick up.
CREATE TABLE outbox (
    id {id},
    topic TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    created_at TEXT NOT NULL
)
