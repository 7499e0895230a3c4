use super::*;

fn doc(key: &str, body: &str) -> Doc {
    Doc {
        key: key.to_string(),
        kind: "reply".to_string(),
        item_id: key
            .split(':')
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
        document_id: Some(7),
        title: String::new(),
        item_title: String::new(),
        body: body.to_string(),
        unit_id: Some(1),
        unit_name: "市民政局".to_string(),
        session_id: 1,
        category: "社会".to_string(),
        grade: "A".to_string(),
        published_at: "2024-03-01T09:00:00+08:00".to_string(),
        public: true,
        office: true,
        unit_ids: vec![1],
        user_ids: vec![100],
        org_id: 1,
        commitments: String::new(),
    }
}

fn keys(idx: &SearchIndex, text: &str) -> Vec<String> {
    let mut k: Vec<String> = idx
        .search(&Query::new(text, Scope::Public))
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.key)
        .collect();
    k.sort();
    k
}

fn corpus() -> SearchIndex {
    let idx = SearchIndex::in_ram().unwrap();
    let mut docs = vec![
        doc(
            "reply:1",
            "县级以上地方人民政府应当加强对本行政区域内的工作的领导。",
        ),
        doc(
            "reply:2",
            "县级以上地方人民政府民政部门负责本行政区域内的社会救助管理工作。",
        ),
        doc("reply:3", "中华人民共和国公民在法律面前一律平等。"),
        doc("reply:4", "海外华人华侨积极参与家乡建设。"),
        doc("reply:5", "加快推进重点项目建设，优化营商环境。"),
        doc("reply:6", "排查治理重大事故隐患，落实安全生产责任。"),
        doc("reply:7", "加强水资源保护，保障饮用水安全。"),
        doc("reply:8", "落实企业安全生产主体责任，防范重大事故。"),
        doc("reply:9", "推进生态环境保护和生态文明建设。"),
    ];
    for d in &mut docs {
        d.unit_name = String::new();
    }
    idx.upsert(&docs).unwrap();
    idx.commit(9).unwrap();
    idx
}

#[test]
fn precision_traps() {
    let idx = corpus();
    assert_eq!(keys(&idx, "民政"), ["reply:2"]);
    assert_eq!(keys(&idx, "华人"), ["reply:4"]);
    // The words themselves are found.
    assert_eq!(keys(&idx, "人民政府"), ["reply:1", "reply:2"]);
    assert_eq!(keys(&idx, "中华人民共和国"), ["reply:3"]);
}

#[test]
fn one_and_two_characters() {
    let idx = corpus();
    assert_eq!(keys(&idx, "水"), ["reply:7"]);
    assert_eq!(keys(&idx, "项目"), ["reply:5"]);
    assert_eq!(keys(&idx, "生态"), ["reply:9"]);
}

#[test]
fn words_are_anded_and_context_splits_still_match() {
    let idx = corpus();
    assert_eq!(keys(&idx, "安全生产 责任"), ["reply:6", "reply:8"]);
    assert_eq!(keys(&idx, "安全生产 隐患"), ["reply:6"]);
    assert_eq!(keys(&idx, "安全生产 水"), Vec::<String>::new());
    // 重大事故隐患 is cut 重大|事故隐患: 重大事故 must still find it.
    assert_eq!(keys(&idx, "重大事故"), ["reply:6", "reply:8"]);
    assert_eq!(keys(&idx, "营商环境"), ["reply:5"]);
    // Punctuation separates words like spaces do.
    assert_eq!(keys(&idx, "安全生产，责任"), ["reply:6", "reply:8"]);
}

#[test]
fn snippet_escapes_html_and_marks() {
    let idx = SearchIndex::in_ram().unwrap();
    idx.upsert(&[doc("reply:1", "<script>alert('x')</script>民政部门 & 社区")])
        .unwrap();
    idx.commit(1).unwrap();
    let page = idx.search(&Query::new("民政", Scope::Public)).unwrap();
    assert_eq!(page.total, 1);
    let s = &page.hits[0].snippet_html;
    assert_eq!(
        s,
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;<mark>民政</mark>部门 &amp; 社区"
    );
    assert!(!s.contains("<script"));
}

#[test]
fn hit_fields() {
    let idx = SearchIndex::in_ram().unwrap();
    let mut d = doc("reply:42", "加强社区养老服务。");
    d.title = "关于湖南省政协十三届一次会议第0239号提案的答复".into();
    d.item_title = "关于加强社区养老的建议".into();
    idx.upsert(&[d]).unwrap();
    idx.commit(1).unwrap();
    let page = idx.search(&Query::new("养老", Scope::Public)).unwrap();
    let h = &page.hits[0];
    assert_eq!(h.key, "reply:42");
    assert_eq!(h.item_id, 42);
    assert_eq!(h.document_id, Some(7));
    assert_eq!(h.unit_id, Some(1));
    assert_eq!(h.item_title, "关于加强社区养老的建议");
    assert!(h.title.starts_with("关于湖南省政协"));
    assert!(h.score > 0.0);
    // Title words are searchable too.
    assert_eq!(
        idx.search(&Query::new("提案 养老", Scope::Public))
            .unwrap()
            .total,
        1
    );
}

#[test]
fn visibility_is_part_of_the_query() {
    let idx = SearchIndex::in_ram().unwrap();
    let mut public = doc("reply:1", "养老服务");
    public.unit_ids = vec![10];
    let mut unit10 = doc("reply:2", "养老服务");
    unit10.public = false;
    unit10.unit_ids = vec![10];
    unit10.user_ids = vec![500];
    let mut unit11 = doc("reply:3", "养老服务");
    unit11.public = false;
    unit11.unit_ids = vec![11];
    unit11.user_ids = vec![501];
    let mut other_org = doc("reply:4", "养老服务");
    other_org.public = false;
    other_org.org_id = 2;
    other_org.unit_ids = vec![10];
    // A unit's draft: its own staff find it, the office does not.
    let mut draft = doc("reply:5", "养老服务");
    draft.public = false;
    draft.office = false;
    draft.unit_ids = vec![11];
    idx.upsert(&[public, unit10, unit11, other_org, draft])
        .unwrap();
    idx.commit(1).unwrap();
    let see = |scope: Scope| -> (Vec<String>, usize) {
        let mut q = Query::new("养老", scope);
        q.per_page = 1;
        let page = idx.search(&q).unwrap();
        let mut all = idx.matching_keys(&q).unwrap();
        all.sort();
        assert_eq!(all.len(), page.total);
        (all, page.total)
    };
    assert_eq!(see(Scope::Public), (vec!["reply:1".to_string()], 1));
    let staff = |unit_id, user_id, all| Scope::Staff {
        org_id: 1,
        all,
        unit_id,
        user_id,
    };
    // A unit sees its own documents, never another unit's.
    assert_eq!(see(staff(Some(10), 1, false)).0, ["reply:1", "reply:2"]);
    assert_eq!(see(staff(Some(11), 1, false)).0, ["reply:3", "reply:5"]);
    // A proposer sees their own.
    assert_eq!(see(staff(None, 501, false)).0, ["reply:3"]);
    assert_eq!(see(staff(None, 999, false)).0, Vec::<String>::new());
    // The office sees what the office may see in the organisation, not another one's.
    assert_eq!(
        see(staff(None, 1, true)).0,
        ["reply:1", "reply:2", "reply:3"]
    );
    // Paging never leaks: the second page of the public scope is empty.
    let mut q = Query::new("养老", Scope::Public);
    q.page = 2;
    q.per_page = 1;
    assert!(idx.search(&q).unwrap().hits.is_empty());
}

#[test]
fn filters() {
    let idx = SearchIndex::in_ram().unwrap();
    let mut a = doc("reply:1", "养老服务");
    a.session_id = 1;
    let mut b = doc("co_opinion:2", "养老服务");
    b.kind = "co_opinion".into();
    b.session_id = 2;
    b.grade = "B".into();
    b.unit_id = Some(5);
    idx.upsert(&[a, b]).unwrap();
    idx.commit(1).unwrap();
    let with = |f: &dyn Fn(&mut Query)| {
        let mut q = Query::new("养老", Scope::Public);
        f(&mut q);
        idx.search(&q)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.key)
            .collect::<Vec<_>>()
    };
    assert_eq!(with(&|q| q.session_id = Some(2)), ["co_opinion:2"]);
    assert_eq!(with(&|q| q.kind = Some("reply".into())), ["reply:1"]);
    assert_eq!(with(&|q| q.grade = Some("B".into())), ["co_opinion:2"]);
    assert_eq!(with(&|q| q.unit_id = Some(1)), ["reply:1"]);
    assert_eq!(
        with(&|q| q.category = Some("教育".into())),
        Vec::<String>::new()
    );
    // An empty text lists what the filters allow.
    let mut q = Query::new("", Scope::Public);
    q.session_id = Some(1);
    assert_eq!(idx.search(&q).unwrap().total, 1);
    // Only punctuation finds nothing.
    assert_eq!(
        idx.search(&Query::new("，。", Scope::Public))
            .unwrap()
            .total,
        0
    );
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let idx = SearchIndex::in_ram().unwrap();
    idx.upsert(&[doc("reply:1", "养老服务"), doc("reply:2", "养老服务")])
        .unwrap();
    idx.commit(1).unwrap();
    assert_eq!(keys(&idx, "养老"), ["reply:1", "reply:2"]);
    idx.upsert(&[doc("reply:1", "教育公平")]).unwrap();
    idx.commit(2).unwrap();
    assert_eq!(keys(&idx, "养老"), ["reply:2"]);
    assert_eq!(keys(&idx, "教育"), ["reply:1"]);
    assert_eq!(idx.num_docs(), 2);
    idx.delete(&["reply:2"]).unwrap();
    // Not visible before the commit.
    assert_eq!(keys(&idx, "养老"), ["reply:2"]);
    idx.commit(3).unwrap();
    assert_eq!(keys(&idx, "养老"), Vec::<String>::new());
    assert_eq!(idx.num_docs(), 1);
    // Unpublish = make not public.
    let mut d = doc("reply:1", "教育公平");
    d.public = false;
    idx.upsert(&[d]).unwrap();
    idx.commit(4).unwrap();
    assert_eq!(keys(&idx, "教育"), Vec::<String>::new());
    idx.clear().unwrap();
    idx.commit(5).unwrap();
    assert_eq!(idx.num_docs(), 0);
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("banli-search-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn watermark_survives_reopen_and_one_writer_only() {
    let dir = temp_dir("reopen");
    {
        let idx = SearchIndex::open_or_create(&dir).unwrap();
        assert_eq!(idx.watermark(), None);
        idx.upsert(&[doc("reply:1", "养老服务")]).unwrap();
        idx.commit(41).unwrap();
        idx.upsert(&[doc("reply:2", "养老服务")]).unwrap();
        idx.commit(42).unwrap();
        assert_eq!(idx.watermark(), Some(42));
        // A second writer on the same directory is refused.
        let second = SearchIndex::open_or_create(&dir);
        assert!(
            matches!(
                second,
                Err(Error::Tantivy(tantivy::TantivyError::LockFailure(..)))
            ),
            "{second:?}"
        );
        // Uncommitted work is not kept.
        idx.upsert(&[doc("reply:3", "养老服务")]).unwrap();
    }
    {
        let idx = SearchIndex::open_or_create_with_dict(&dir, &["湘江新区管理委员会".to_string()])
            .unwrap();
        assert_eq!(idx.watermark(), Some(42));
        assert_eq!(keys(&idx, "养老"), ["reply:1", "reply:2"]);
        idx.clear().unwrap();
        idx.commit(0).unwrap();
    }
    {
        let idx = SearchIndex::open_or_create(&dir).unwrap();
        assert_eq!(idx.watermark(), Some(0));
        assert_eq!(idx.num_docs(), 0);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn extra_words_are_words() {
    let idx = SearchIndex::in_ram_with_dict(&["湘江新区".to_string()]).unwrap();
    idx.upsert(&[
        doc("reply:1", "支持湘江新区建设。"),
        doc("reply:2", "沿湘江新建区域绿道。"),
    ])
    .unwrap();
    idx.commit(1).unwrap();
    assert_eq!(keys(&idx, "湘江新区"), ["reply:1"]);
}

#[test]
fn payload_roundtrip() {
    assert_eq!(
        parse_payload(&payload(Some(-5))),
        (Some(ANALYZER_VERSION), Some(-5))
    );
    assert_eq!(
        parse_payload(&payload(None)),
        (Some(ANALYZER_VERSION), None)
    );
    assert_eq!(parse_payload("something else"), (None, None));
}

#[test]
fn shareable_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SearchIndex>();
}

#[test]
fn an_index_of_another_analyzer_version_is_emptied() {
    let dir = temp_dir("version");
    {
        let idx = SearchIndex::open_or_create(&dir).unwrap();
        idx.upsert(&[doc("reply:1", "养老服务")]).unwrap();
        let mut writer = idx.writer();
        let mut prepared = writer.prepare_commit().unwrap();
        prepared.set_payload("banli-search/0 watermark=5");
        prepared.commit().unwrap();
    }
    let idx = SearchIndex::open_or_create(&dir).unwrap();
    assert_eq!(idx.watermark(), None);
    assert_eq!(idx.num_docs(), 0);
    drop(idx);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_index_of_another_schema_is_recreated() {
    let dir = temp_dir("schema");
    std::fs::create_dir_all(&dir).unwrap();
    {
        let mut b = Schema::builder();
        let f = b.add_text_field("old", STRING | STORED);
        let index = Index::create_in_dir(&dir, b.build()).unwrap();
        let mut w: IndexWriter<TantivyDocument> =
            index.writer_with_num_threads(1, 20_000_000).unwrap();
        let mut d = TantivyDocument::default();
        d.add_text(f, "x");
        w.add_document(d).unwrap();
        w.commit().unwrap();
    }
    let idx = SearchIndex::open_or_create(&dir).unwrap();
    assert_eq!(idx.num_docs(), 0);
    assert_eq!(idx.watermark(), None);
    idx.upsert(&[doc("reply:1", "养老服务")]).unwrap();
    idx.commit(1).unwrap();
    assert_eq!(keys(&idx, "养老"), ["reply:1"]);
    drop(idx);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Ranking: a word in the title, and a word twice in the body, outweigh the same word
/// once in a body of the same length; and the visibility clause (a term of its own) shifts
/// scores without reordering them: the office sees the public page in the same order.
#[test]
fn titles_weigh_more_and_visibility_does_not_reorder() {
    let idx = SearchIndex::in_ram().unwrap();
    let mut in_title = doc("reply:1", "做好农村公路养护工作。");
    in_title.title = "关于加强社区养老服务的答复".to_string();
    let twice = doc("reply:2", "社区养老需要场地，社区养老需要人员。");
    let once = doc(
        "reply:3",
        "做好社区工作，兼顾养老，推进农村公路建设和城市管理工作。",
    );
    let mut filler: Vec<Doc> = (10..40)
        .map(|i| doc(&format!("reply:{i}"), "推进城市管理和农村公路建设。"))
        .collect();
    filler.extend([once, twice, in_title]);
    idx.upsert(&filler).unwrap();
    idx.commit(1).unwrap();
    let order = |scope: Scope| -> Vec<String> {
        idx.search(&Query::new("养老", scope))
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.key)
            .collect()
    };
    let public = order(Scope::Public);
    assert_eq!(public.len(), 3);
    assert_eq!(public[2], "reply:3", "{public:?}");
    let office = Scope::Staff {
        org_id: 1,
        all: true,
        unit_id: None,
        user_id: 0,
    };
    assert_eq!(order(office), public);
}
