//! Similar items and unit suggestions over a small hand-made set of
//! proposals (提案) and their replies, on different subjects.

use banli_search::{Doc, Hit, Scope, SearchIndex};

const OFFICE: Scope = Scope::Staff {
    org_id: 1,
    all: true,
    unit_id: None,
    user_id: 1,
};

fn proposer(user_id: i64) -> Scope {
    Scope::Staff {
        org_id: 1,
        all: false,
        unit_id: None,
        user_id,
    }
}

struct Unit(i64, &'static str);
const ECO: Unit = Unit(1, "省生态环境厅");
const EDU: Unit = Unit(2, "省教育厅");
const NDRC: Unit = Unit(3, "省发展和改革委员会");
const TRANSPORT: Unit = Unit(4, "省交通运输厅");
const CIVIL: Unit = Unit(5, "省民政厅");
const HEALTH: Unit = Unit(6, "省卫生健康委员会");
const FINANCE: Unit = Unit(7, "省地方金融管理局");
const AGRI: Unit = Unit(8, "省农业农村厅");
const HOUSING: Unit = Unit(10, "省住房和城乡建设厅");
const HRSS: Unit = Unit(11, "省人力资源和社会保障厅");

/// (item id, session, proposer, title, body)
#[rustfmt::skip]
const ITEMS: &[(i64, i64, i64, &str, &str)] = &[
    (1, 1, 100, "关于加强湘江流域水污染综合治理的建议",
     "湘江是湖南的母亲河，流域内集中了全省六成以上的人口和经济总量。近年来湘江干流水质总体改善，但部分支流水质仍不稳定，株洲、湘潭、衡阳等地沿江工业企业排放的重金属和氨氮时有超标。沿江城镇生活污水收集管网不完善，雨污合流问题突出，污水处理厂进水浓度偏低。建议全面排查湘江干支流入河排污口，实行一口一档动态管理；加快沿江城镇污水管网建设和雨污分流改造；对涉重金属企业实行在线监测，严厉查处超标排放。"),
    (2, 1, 101, "关于建立湘江流域上下游横向生态补偿机制的建议",
     "湘江流经永州、衡阳、株洲、湘潭、长沙等市，上游地区为保护水质关停了大量企业，承担了较大的发展成本。目前流域各市之间缺少水质与补偿挂钩的办法。建议以湘江跨市断面水质监测结果为依据，建立上下游横向生态补偿机制，断面水质达标或改善的由下游给予上游补偿，水质恶化的由上游赔偿下游；省级财政设立流域生态补偿引导资金，补偿资金专项用于水污染防治和生态修复。"),
    (3, 2, 102, "关于治理湘江沿岸工业园区重金属污染的建议",
     "株洲清水塘、湘潭竹埠港、衡阳水口山等老工业区历史遗留的重金属污染仍是湘江水环境的最大隐患。镉、砷、铅等重金属沉积在湘江底泥和沿岸土壤中，遇到洪水容易再次释放。建议编制湘江沿岸重金属污染场地修复规划，分期实施底泥清淤和污染土壤修复；对搬迁后的工业用地开展土壤污染状况调查，未经修复不得开发利用；加强湘江重点断面重金属在线监测和预警。"),
    (4, 1, 100, "关于加强农村义务教育教师队伍建设的建议",
     "农村义务教育学校教师流失严重，年轻教师留不住，部分村小和教学点只能依靠代课教师维持。乡村教师工资待遇偏低、住房条件差、职称晋升难，是教师流失的主要原因。建议落实乡村教师工资收入不低于当地公务员的要求，提高乡村教师生活补助标准；建设乡村教师周转宿舍；在职称评聘中向乡村教师倾斜；完善城乡教师交流轮岗制度，引导县城优秀教师到农村学校任教。"),
    (5, 1, 103, "关于提高乡村教师待遇稳定农村师资的建议",
     "乡村学校师资不足、结构老化，音乐、体育、英语等学科教师尤其缺乏。许多师范毕业生不愿到乡村学校任教，已在岗的乡村教师也想方设法调往县城。建议扩大公费定向师范生培养规模，实行定向培养、定向就业；按照学校偏远程度分档发放乡村教师岗位补助；乡村教师评聘高级职称适当放宽论文要求，把在乡村学校任教的年限作为评优评先的重要条件。"),
    (6, 2, 104, "关于解决农村小规模学校音体美教师短缺的建议",
     "农村小规模学校和教学点学生少、班额小，按照师生比核定的教师编制不足，音乐、体育、美术课程常常开不齐、开不足。建议对农村小规模学校按照师生比和班师比相结合的方式核定教师编制；推行县域内音体美教师走教制度，给予走教教师交通补贴；利用专递课堂和网络教学，让城区学校的音体美优质课程覆盖农村教学点。"),
    (7, 1, 105, "关于加快长株潭城际轨道交通一体化的建议",
     "长株潭城际铁路开通以来客流增长缓慢，发车间隔长、票价偏高、与城市公交和地铁换乘不便，没有发挥好长株潭都市圈通勤主通道的作用。建议推动长株潭城际铁路公交化运营，加密早晚高峰班次，缩短发车间隔；实行票价优惠和月票制度；加快城际铁路站点与长沙地铁、株洲和湘潭公交的衔接，实现一票换乘；规划建设长株潭市域快线，构建轨道上的长株潭。"),
    (8, 2, 106, "关于推进长沙地铁与长株潭城际铁路换乘衔接的建议",
     "乘客从长株潭城际铁路换乘长沙地铁需要出站再进站，重复安检、重复购票，换乘距离长，通勤时间大量浪费。建议在城际铁路与地铁的换乘站推行安检互认和同站换乘改造；推广长株潭交通一卡通和扫码乘车互联互通；优化城际列车与地铁首末班时间的衔接，方便长株潭三市群众通勤出行。"),
    (9, 1, 107, "关于发展社区居家养老服务的建议",
     "我省已进入中度老龄化社会，大多数老年人选择在家中和社区养老。但社区养老服务设施不足，日间照料中心运营困难，助餐、助浴、助医等上门服务供给少，养老护理员短缺。建议新建住宅小区按标准配建社区养老服务用房，老旧小区通过购置、置换、租赁等方式补足；对社区日间照料中心给予运营补贴；发展老年助餐服务网络；将养老护理员纳入职业技能培训补贴范围。"),
    (10, 1, 108, "关于加强农村留守老人养老保障的建议",
     "随着青壮年劳动力外出务工，农村留守老人、空巢老人越来越多，生活照料和精神慰藉缺失，遇到疾病和意外难以及时救助。农村敬老院床位空置与留守老人无人照料并存。建议推广农村互助养老模式，依托村级活动场所建设互助养老幸福院；对乡镇敬老院进行改造提质，向社会老人开放；建立留守老人定期探访关爱制度，由村干部和志愿者结对联系。"),
    (11, 2, 109, "关于推进医养结合解决失能老人照护难的建议",
     "失能、半失能老人长期照护是家庭最沉重的负担，养老机构不愿收、医院不能长期住的问题普遍存在。建议推进医养结合，支持养老机构内设医务室、护理站，鼓励基层医疗卫生机构与养老机构签约合作；扩大长期护理保险试点范围，将失能老人照护费用纳入保障；增加护理型养老床位供给。"),
    (12, 1, 110, "关于缓解小微企业融资难融资贵的建议",
     "小微企业普遍缺少抵押物，银行贷款审批慢、门槛高，转贷续贷还要付出高额过桥资金成本。建议扩大政府性融资担保覆盖面，降低担保费率；推广知识产权质押、应收账款质押等信用贷款产品；设立小微企业续贷周转资金池；推动银行对小微企业贷款实行尽职免责，提高不良贷款容忍度。"),
    (13, 1, 111, "关于提升基层医疗卫生服务能力的建议",
     "乡镇卫生院和村卫生室设备陈旧，全科医生缺乏，村医年龄老化、后继乏人，群众看小病也要跑到县城医院。建议加大乡镇卫生院标准化建设投入；实施农村订单定向医学生免费培养，充实基层全科医生队伍；提高村医养老保障待遇；推进县域医共体建设，让县级医院专家定期下沉乡镇坐诊。"),
    (14, 1, 112, "关于打造湖南农产品区域公用品牌的建议",
     "湖南农产品品种多、品质好，但品牌小而散，安化黑茶、湘莲、南县小龙虾等区域公用品牌影响力与产业规模不相称。建议整合各地农产品品牌资源，集中打造几个省级区域公用品牌；完善品牌授权使用和质量追溯制度；支持农业企业通过电商平台和直播带货拓展销售渠道。"),
    (15, 2, 113, "关于持续优化营商环境的建议",
     "一些地方涉企审批事项多、环节多，企业开办和项目审批仍需反复跑腿，涉企检查过多过频。建议深化一网通办，推行一件事一次办；清理规范涉企收费；推行包容审慎监管，实行涉企检查计划管理，减少对企业正常生产经营的干扰。"),
    (16, 2, 114, "关于加强中小学生近视防控的建议",
     "中小学生近视率居高不下并呈低龄化趋势，学生课业负担重、户外活动少、电子产品使用时间长是主要原因。建议保障学生每天校内两小时体育活动时间；严格控制作业总量和电子产品使用；定期开展视力筛查并建立学生视力健康档案。"),
];

/// (key, kind, item id, unit, document id, body); replies are visible to
/// the item's proposer and the unit.
#[rustfmt::skip]
const REPLIES: &[(&str, &str, i64, Unit, i64, &str)] = &[
    ("reply:101", "reply", 1, ECO, 101,
     "您提出的关于加强湘江流域水污染综合治理的建议收悉。我厅会同流域各市开展湘江干支流入河排污口排查整治，已完成排污口溯源和分类整治；对沿江涉重金属企业安装在线监测设备并与生态环境部门联网；湘江干流断面水质稳定达到二类标准。下一步将继续推进支流水质达标攻坚。"),
    ("co_opinion:104", "co_opinion", 1, HOUSING, 104,
     "关于沿江城镇污水管网建设和雨污分流改造，我厅将督促湘江沿线市县加快污水管网建设，推进老旧城区雨污分流改造，提高污水处理厂进水浓度。"),
    ("reply:102", "reply", 2, ECO, 102,
     "关于建立湘江流域上下游横向生态补偿机制的建议，我厅会同省财政厅制定了湘江流域生态补偿办法，以跨市断面水质监测结果为依据，水质达标的下游向上游给予补偿，超标的由上游赔偿，补偿资金用于流域水污染防治和生态修复。"),
    ("reply:117", "reply", 3, ECO, 117,
     "关于湘江沿岸重金属污染治理，我厅已组织编制湘江流域重金属污染综合防治规划，清水塘、竹埠港老工业区完成企业搬迁并实施污染土壤修复，湘江重点断面重金属监测实现全覆盖。"),
    ("reply:105", "reply", 4, EDU, 105,
     "关于加强农村义务教育教师队伍建设的建议，我厅落实乡村教师生活补助政策，建设乡村教师周转宿舍；职称评聘向乡村教师倾斜，城镇教师晋升高级职称须有农村学校任教经历；推进县域内城乡教师交流轮岗。"),
    ("reply:106", "reply", 5, EDU, 106,
     "关于提高乡村教师待遇的建议，我厅扩大公费定向师范生培养规模，毕业生到乡村学校任教；乡村教师岗位补助按学校偏远程度分档发放。"),
    ("co_opinion:107", "co_opinion", 5, HRSS, 107,
     "关于乡村教师职称评聘，我厅将会同教育部门完善中小学教师职称评价标准，对乡村教师评聘高级职称不作论文刚性要求。"),
    ("reply:108", "reply", 7, NDRC, 108,
     "关于长株潭城际轨道交通一体化，我委正在编制长株潭都市圈轨道交通规划，推动城际铁路公交化运营，研究市域快线建设方案。"),
    ("reply:109", "reply", 7, TRANSPORT, 109,
     "关于长株潭城际铁路与城市公交衔接，我厅推动城际铁路站点接驳公交线路优化，推广长株潭交通一卡通互联互通。"),
    ("reply:110", "reply", 9, CIVIL, 110,
     "关于发展社区居家养老服务的建议，我厅推动新建小区配建社区养老服务用房，对社区日间照料中心给予运营补贴，发展老年助餐服务，开展养老护理员职业技能培训。"),
    ("reply:111", "reply", 10, CIVIL, 111,
     "关于农村留守老人养老保障，我厅推广农村互助养老幸福院，推进乡镇敬老院改造提质，建立农村留守老人定期探访关爱制度。"),
    ("reply:112", "reply", 11, HEALTH, 112,
     "关于推进医养结合，我委支持基层医疗卫生机构与养老机构签约合作，养老机构内设医务室和护理站，为失能老人提供医疗护理服务。"),
    ("co_opinion:113", "co_opinion", 11, CIVIL, 113,
     "关于增加护理型养老床位，我厅将提高养老机构护理型床位占比，对收住失能老人的养老机构给予运营补贴。"),
    ("reply:114", "reply", 12, FINANCE, 114,
     "关于缓解小微企业融资难融资贵，我局推动政府性融资担保机构降低担保费率，设立小微企业续贷周转资金，推广知识产权质押贷款。"),
    ("reply:115", "reply", 13, HEALTH, 115,
     "关于提升基层医疗卫生服务能力，我委推进乡镇卫生院标准化建设，实施农村订单定向医学生免费培养，推进县域医共体建设。"),
    ("reply:116", "reply", 14, AGRI, 116,
     "关于打造农产品区域公用品牌，我厅集中打造安化黑茶、湘莲等省级区域公用品牌，完善品牌授权和质量追溯制度。"),
];

/// Published copies (public) of these replies.
const PUBLISHED: &[&str] = &["reply:101", "reply:110"];

fn item(id: i64) -> &'static (i64, i64, i64, &'static str, &'static str) {
    ITEMS.iter().find(|i| i.0 == id).unwrap()
}

fn index() -> SearchIndex {
    let idx = SearchIndex::in_ram().unwrap();
    let mut docs = Vec::new();
    for &(id, session, user, title, body) in ITEMS {
        let units: Vec<i64> = REPLIES
            .iter()
            .filter(|r| r.2 == id)
            .map(|r| r.3 .0)
            .collect();
        docs.push(Doc {
            key: format!("item:{id}"),
            kind: "item".into(),
            item_id: id,
            title: title.into(),
            item_title: title.into(),
            body: body.into(),
            session_id: session,
            unit_ids: units,
            user_ids: vec![user],
            office: true,
            org_id: 1,
            ..Doc::default()
        });
    }
    for (key, kind, item_id, unit, doc_id, body) in REPLIES {
        let (_, session, user, title, _) = *item(*item_id);
        let d = Doc {
            key: key.to_string(),
            kind: kind.to_string(),
            item_id: *item_id,
            document_id: Some(*doc_id),
            title: format!(
                "关于省政协十二届{}次会议第{:04}号提案的答复",
                session + 3,
                item_id
            ),
            item_title: title.into(),
            body: body.to_string(),
            unit_id: Some(unit.0),
            unit_name: unit.1.into(),
            session_id: session,
            unit_ids: vec![unit.0],
            user_ids: if *kind == "reply" { vec![user] } else { vec![] },
            office: true,
            org_id: 1,
            ..Doc::default()
        };
        if PUBLISHED.contains(key) {
            docs.push(Doc {
                key: format!("pub:{key}"),
                public: true,
                office: false,
                unit_ids: vec![],
                user_ids: vec![],
                published_at: "2024-06-01T09:00:00+08:00".into(),
                ..d.clone()
            });
        }
        docs.push(d);
    }
    idx.upsert(&docs).unwrap();
    idx.commit(1).unwrap();
    idx
}

fn show(what: &str, hits: &[Hit]) {
    println!("{what}:");
    for h in hits {
        println!("  {:.3} {:<16} {}", h.score, h.key, h.item_title);
    }
}

fn keys(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.key.as_str()).collect()
}

const XIANGJIANG_DRAFT: &str = "关于加快湘江干流排污口整治改善湘江水质的建议\n\
    湘江沿线一些工业园区和城镇的污水直排问题尚未根本解决，部分入河排污口设置不规范，\
    枯水期支流断面水质超标，重金属污染风险依然存在。建议对湘江干支流排污口开展全面溯源整治，\
    推进沿江污水处理设施提标改造，加强重金属排放企业的在线监测和执法检查。";

#[test]
fn a_draft_finds_the_items_of_its_subject_first() {
    let idx = index();
    let hits = idx
        .similar(XIANGJIANG_DRAFT, &OFFICE, Some("item"), &[], 10)
        .unwrap();
    show("湘江 draft, items", &hits);
    let top: Vec<&str> = keys(&hits).into_iter().take(3).collect();
    let mut sorted = top.clone();
    sorted.sort();
    assert_eq!(sorted, ["item:1", "item:2", "item:3"], "{top:?}");
    assert_eq!(hits[0].key, "item:1");
    // Only items, ranked, scores in 0..=1.
    assert!(hits.iter().all(|h| h.kind == "item"));
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(hits.iter().all(|h| (0.0..=1.0).contains(&h.score)));
    // Not the education items.
    for h in &hits {
        assert!(
            ![4, 5, 6, 16].contains(&h.item_id),
            "an education item: {} {}",
            h.key,
            h.score
        );
    }
    // Snippets highlight the salient words.
    assert!(
        hits[0].snippet_html.contains("<mark>"),
        "{}",
        hits[0].snippet_html
    );

    // Without a kind: the replies on the subject come too, each document once.
    let hits = idx
        .similar(XIANGJIANG_DRAFT, &OFFICE, None, &[], 20)
        .unwrap();
    show("湘江 draft, all kinds", &hits);
    let copies = keys(&hits)
        .into_iter()
        .filter(|k| *k == "reply:101" || *k == "pub:reply:101")
        .count();
    assert_eq!(copies, 1, "the staff and the public copy are one document");
    for h in &hits {
        assert!(![4, 5, 6, 16].contains(&h.item_id), "{} {}", h.key, h.score);
    }
}

/// The text with its second sentence dropped and the rest rotated.
fn perturb(text: &str) -> String {
    let mut sentences: Vec<String> = text
        .split_inclusive('。')
        .map(String::from)
        .filter(|s| !s.trim().is_empty())
        .collect();
    assert!(sentences.len() >= 3, "{text}");
    sentences.remove(1);
    sentences.rotate_left(1);
    sentences.concat()
}

#[test]
fn a_near_duplicate_scores_high_and_unrelated_items_low() {
    let idx = index();
    let mut worst_dup = 1.0f32;
    let mut best_other = 0.0f32;
    for &(id, _, _, title, body) in ITEMS {
        if body.matches('。').count() < 3 {
            continue;
        }
        let draft = format!("{title}\n{}", perturb(body));
        let hits = idx.similar(&draft, &OFFICE, Some("item"), &[], 20).unwrap();
        assert_eq!(hits[0].key, format!("item:{id}"), "{title}");
        worst_dup = worst_dup.min(hits[0].score);
        // Items of other subjects (the subject groups of ITEMS).
        let group = |i: i64| match i {
            1..=3 => 1,
            4..=6 => 2,
            7..=8 => 3,
            9..=11 => 4,
            _ => i,
        };
        for h in &hits[1..] {
            if group(h.item_id) != group(id) {
                best_other = best_other.max(h.score);
            }
        }
    }
    println!("near duplicates: lowest {worst_dup:.3}; other subjects: highest {best_other:.3}");
    // Measured: near duplicates ≥ 0.923, other subjects ≤ 0.079.
    assert!(worst_dup > 0.85, "{worst_dup}");
    assert!(best_other < 0.15, "{best_other}");
    // A copy is 1.
    let (_, _, _, title, body) = *item(9);
    let hits = idx
        .similar(&format!("{title}\n{body}"), &OFFICE, Some("item"), &[], 5)
        .unwrap();
    assert!(hits[0].score > 0.999, "{}", hits[0].score);
    // Excluded keys are left out (the item itself).
    let hits = idx
        .similar(
            &format!("{title}\n{body}"),
            &OFFICE,
            Some("item"),
            &["item:9".to_string()],
            5,
        )
        .unwrap();
    show("养老 item 9 without itself", &hits);
    assert!(!keys(&hits).contains(&"item:9"));
    assert!(hits[0].score < 0.8);
}

#[test]
fn generic_words_find_nothing() {
    let idx = index();
    for text in [
        "加强 推进 工作 的 建议",
        "关于进一步加强和改进相关工作的建议",
        "",
        "，。",
    ] {
        let hits = idx.similar(text, &OFFICE, None, &[], 10).unwrap();
        show(text, &hits);
        assert!(hits.iter().all(|h| h.score < 0.1), "{text}");
    }
    assert!(idx
        .similar("加强 推进 工作 的 建议", &OFFICE, None, &[], 10)
        .unwrap()
        .is_empty());
    assert!(idx
        .suggest_units("加强 推进 工作 的 建议", &OFFICE, 3)
        .unwrap()
        .is_empty());
}

#[test]
fn visibility_is_respected() {
    let idx = index();
    // Proposer 101 sees their own item 2 and its reply, not items 1 and 3
    // of other proposers (unpublished).
    let hits = idx
        .similar(XIANGJIANG_DRAFT, &proposer(101), None, &[], 20)
        .unwrap();
    show("湘江 draft as proposer 101", &hits);
    let mut k = keys(&hits);
    k.sort();
    assert_eq!(k, ["item:2", "reply:102"]);
    // The public sees the published copy only.
    let hits = idx
        .similar(XIANGJIANG_DRAFT, &Scope::Public, None, &[], 20)
        .unwrap();
    show("湘江 draft, public", &hits);
    assert_eq!(keys(&hits), ["pub:reply:101"]);
    assert!(idx
        .similar(XIANGJIANG_DRAFT, &Scope::Public, Some("item"), &[], 20)
        .unwrap()
        .is_empty());
    // Another organisation sees nothing.
    let other = Scope::Staff {
        org_id: 2,
        all: true,
        unit_id: None,
        user_id: 1,
    };
    assert!(idx
        .similar(XIANGJIANG_DRAFT, &other, None, &[], 20)
        .unwrap()
        .is_empty());
    // A unit sees the items assigned to it and its own documents.
    let unit = Scope::Staff {
        org_id: 1,
        all: false,
        unit_id: Some(HOUSING.0),
        user_id: 2,
    };
    let hits = idx.similar(XIANGJIANG_DRAFT, &unit, None, &[], 20).unwrap();
    let mut k = keys(&hits);
    k.sort();
    assert_eq!(k, ["co_opinion:104", "item:1"]);
}

#[test]
fn units_that_answered_similar_items_are_suggested() {
    let idx = index();
    let units = idx.suggest_units(XIANGJIANG_DRAFT, &OFFICE, 5).unwrap();
    println!("湘江 draft: {units:?}");
    assert_eq!(units[0].0, ECO.0);
    assert_eq!(units[0].1, ECO.1);
    assert!(units.iter().all(|u| (0.0..=1.0).contains(&u.2)));
    assert!(units.windows(2).all(|w| w[0].2 >= w[1].2));
    assert!(units.iter().all(|u| u.0 != EDU.0));

    let draft = "关于完善城市社区养老服务设施的建议\n\
        城市老年人口快速增长，社区养老服务设施缺口大，许多老旧小区没有养老服务用房，\
        日间照料中心功能单一，老年助餐和上门照护服务覆盖面小。建议将社区养老服务设施纳入城市更新规划，\
        对日间照料中心给予运营补贴，培养专业养老护理员队伍。";
    let units = idx.suggest_units(draft, &OFFICE, 5).unwrap();
    println!("养老 draft: {units:?}");
    assert_eq!(units[0].0, CIVIL.0);
    assert_eq!(units[0].1, CIVIL.1);

    let draft =
        "关于提高长株潭城际铁路通勤效率的建议\n长株潭城际铁路发车间隔长，与长沙地铁换乘不便，\
        建议实行公交化运营，推广交通一卡通，缩短换乘时间。";
    let units = idx.suggest_units(draft, &OFFICE, 5).unwrap();
    println!("轨道交通 draft: {units:?}");
    let first_two: Vec<i64> = units.iter().take(2).map(|u| u.0).collect();
    assert!(
        first_two.contains(&NDRC.0) && first_two.contains(&TRANSPORT.0),
        "{units:?}"
    );

    // Public scope: only the published replies count.
    let units = idx
        .suggest_units(XIANGJIANG_DRAFT, &Scope::Public, 5)
        .unwrap();
    assert_eq!(units.len(), 1);
    assert_eq!(units[0].0, ECO.0);
    assert!((units[0].2 - 1.0).abs() < 1e-6);
}

#[test]
fn a_title_alone_finds_its_subject() {
    let idx = index();
    let cases: [(&str, &[i64], &[i64]); 5] = [
        ("关于加强湘江流域水污染治理的建议", &[1, 2, 3], &[ECO.0]),
        ("关于稳定乡村教师队伍的建议", &[4, 5, 6], &[EDU.0]),
        (
            "关于长株潭城际铁路公交化运营的建议",
            &[7, 8],
            &[NDRC.0, TRANSPORT.0],
        ),
        ("关于发展农村互助养老的建议", &[9, 10, 11], &[CIVIL.0]),
        ("关于降低小微企业贷款担保费率的建议", &[12], &[FINANCE.0]),
    ];
    for (title, items, units) in cases {
        let hits = idx.similar(title, &OFFICE, Some("item"), &[], 10).unwrap();
        show(title, &hits);
        assert!(!hits.is_empty(), "{title}");
        let first_other = hits.iter().position(|h| !items.contains(&h.item_id));
        let found = first_other.unwrap_or(hits.len());
        assert!(found >= 1, "{title}: the first hit is off subject");
        // The subject's items first.
        assert!(
            hits[found..].iter().all(|h| !items.contains(&h.item_id)),
            "{title}"
        );
        let suggested = idx.suggest_units(title, &OFFICE, 3).unwrap();
        println!("  units {suggested:?}");
        assert!(units.contains(&suggested[0].0), "{title}: {suggested:?}");
    }
}
