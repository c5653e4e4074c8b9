//! Drafts the tests start from, made through the core as the window would make them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use baosong::core::campaign::Campaign;
use baosong::core::draft::{Attachment, Draft, DraftId, Link, Material, UnitProfile};
use baosong::core::media::import::{ImportTarget, import_file};
use baosong::core::store::DataDir;
use baosong::core::work::Unwatched;

pub fn unit(name: &str) -> UnitProfile {
    UnitProfile {
        unit: name.into(),
        typed: false,
        contact_person: "张丽".into(),
        phone: "023-63751234".into(),
    }
}

/// Attach `source` to the activity `(item, activity)` of `draft` (or to 综合材料).
pub fn attach(store: &DataDir, draft: &mut Draft, at: Option<(&str, &str)>, source: &Path) {
    let rules = Campaign::builtin().unwrap().attachments;
    let files = store.draft_dir(&draft.id).join("files");
    let target = ImportTarget {
        files_dir: &files,
        rules: &rules,
        already: &|_| None,
    };
    let id = draft.reserve_attachment_id();
    let a = import_file(source, id, &target, &Unwatched, store.now()).unwrap();
    push(draft, at, a);
}

fn push(draft: &mut Draft, at: Option<(&str, &str)>, a: Attachment) {
    match at {
        Some((item, activity)) => draft
            .activity_mut(item, activity)
            .unwrap()
            .attachments
            .push(a),
        None => draft.general.push(a),
    }
}

/// A complete draft of `unit_name`: an activity in every item but the last (本项未开展), a
/// photo and a video on the first activity, a document in 综合材料, a link on the second.
/// `extra` files (made by the caller) go on the first activity too.
pub fn complete_draft(store: &DataDir, unit_name: &str, pc: &Path, extra: &[&Path]) -> DraftId {
    let campaign = Campaign::builtin().unwrap();
    let mut d = store.create(&campaign, unit(unit_name)).unwrap();
    let mut first = None;
    let mut second = None;
    for (_, item) in campaign.items() {
        if item.id == "p3-3" {
            let a = d.answer_mut("p3-3");
            a.not_carried_out = true;
            a.reason = "本年度该项工作由区司法局牵头开展".into();
            continue;
        }
        let id = d.add_activity(item.id.as_str());
        let a = d.activity_mut(item.id.as_str(), id.as_str()).unwrap();
        a.title = format!("{}主题活动", item.title);
        a.date = "2024-03-08".into();
        a.place = "解放碑街道社区活动中心".into();
        a.organiser = format!("{unit_name}主办");
        a.participants = "约120人".into();
        a.summary = "组织巾帼宣讲队进社区宣讲。".into();
        if first.is_none() {
            first = Some((item.id.to_string(), id.to_string()));
        } else if second.is_none() {
            second = Some((item.id.to_string(), id.to_string()));
        }
    }
    let (i1, a1) = first.unwrap();
    let (i2, a2) = second.unwrap();
    let photo = pc.join(format!("{unit_name}合影.jpg"));
    std::fs::write(&photo, super::media::jpeg(320, 240, 1, true)).unwrap();
    attach(store, &mut d, Some((&i1, &a1)), &photo);
    let video = super::media::video(
        pc,
        &format!("{unit_name}快闪.mp4"),
        "160x90",
        "1",
        "libx264",
        &[],
    );
    attach(store, &mut d, Some((&i1, &a1)), &video);
    for path in extra {
        attach(store, &mut d, Some((&i1, &a1)), path);
    }
    let doc = pc.join(format!("{unit_name}工作总结.pdf"));
    std::fs::write(&doc, b"%PDF-1.4\n<</Type /Page>>\n%%EOF\n").unwrap();
    attach(store, &mut d, None, &doc);
    let link = Attachment {
        id: d.reserve_attachment_id(),
        caption: "公众号报道".into(),
        added_at: store.now(),
        material: Material::Link(Link {
            url: "https://mp.weixin.qq.com/s/example".into(),
            platform: "微信公众号".into(),
            title: "“巾帼大宣讲”进社区".into(),
        }),
    };
    push(&mut d, Some((&i2, &a2)), link);
    d.mark_ready(0, store.now()).unwrap();
    store.save(&d).unwrap();
    d.id
}

/// A file of `mib` MiB of random bytes that the app takes as a PDF (it starts like one).
pub fn big_pdf(path: &Path, mib: usize, seed: u64) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(b"%PDF-1.4\n").unwrap();
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut chunk = vec![0u8; 1 << 20];
    for _ in 0..mib {
        rng.fill(&mut chunk);
        f.write_all(&chunk).unwrap();
    }
}

/// A complete draft (see [`complete_draft`]) with `mib` MiB more of a PDF on its first activity.
pub fn ready(data: &Path, pc: &Path, unit_name: &str, mib: usize) -> DraftId {
    let store = DataDir::open(data, super::clock()).unwrap();
    let mut extra = Vec::new();
    if mib > 0 {
        let big = pc.join(format!("{unit_name}活动录像资料.pdf"));
        big_pdf(&big, mib, mib as u64);
        extra.push(big);
    }
    let refs: Vec<&Path> = extra.iter().map(PathBuf::as_path).collect();
    complete_draft(&store, unit_name, pc, &refs)
}
