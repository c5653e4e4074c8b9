//! What the department's campaign editor does to a template, without the window: pillars and
//! items added, removed and moved (their numbers — 一、二、 and 一是、（一）、1. — follow their
//! places; their ids never change, so a draft keeps what was written under an item that moved or
//! was renamed), and every problem that keeps the template from being published, in the words of
//! the clerk's check page, each with where to mend it.

use super::{Campaign, Item, Pillar};
use crate::ids::ItemId;

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// 1 → 一, 12 → 十二, 20 → 二十.
pub fn cn_numeral(n: usize) -> String {
    let at = |k: usize| NUMERALS.get(k.wrapping_sub(1)).copied().unwrap_or("");
    match n {
        1..=10 => at(n).to_string(),
        11..=19 => format!("十{}", at(n - 10)),
        20..=99 if n.is_multiple_of(10) => format!("{}十", at(n / 10)),
        20..=99 => format!("{}十{}", at(n / 10), at(n % 10)),
        _ => n.to_string(),
    }
}

/// Where in the template a problem is (the editor selects it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditPlace {
    /// 活动信息: title, dates, receiver and contact.
    Campaign,
    Units,
    Pillar(usize),
    Item(usize, usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditProblem {
    pub at: EditPlace,
    pub message: String,
}

/// The item's number in its pillar's style, at position `j` (0-based): `一是` stays a 是, `三要`
/// a 要, `（一）` and `1.` follow; anything else is left as written.
fn renumbered(number: &str, j: usize) -> String {
    let n = j + 1;
    let numeral_end = number
        .char_indices()
        .find(|(_, c)| !"一二三四五六七八九十".contains(*c))
        .map_or(number.len(), |(i, _)| i);
    let (numeral, rest) = number.split_at(numeral_end);
    if !numeral.is_empty() && (rest == "是" || rest == "要") {
        return format!("{}{rest}", cn_numeral(n));
    }
    if number.starts_with('（') && number.ends_with('）') {
        let inner = &number['（'.len_utf8()..number.len() - '）'.len_utf8()];
        if inner.chars().all(|c| c.is_ascii_digit()) {
            return format!("（{n}）");
        }
        return format!("（{}）", cn_numeral(n));
    }
    if number.ends_with('.')
        && number[..number.len() - 1]
            .chars()
            .all(|c| c.is_ascii_digit())
    {
        return format!("{n}.");
    }
    number.to_string()
}

/// Numbers follow places: pillars 一、二、三, items in their pillar's style.
pub fn renumber(c: &mut Campaign) {
    for (i, pillar) in c.pillars.iter_mut().enumerate() {
        pillar.number = cn_numeral(i + 1);
        for (j, item) in pillar.items.iter_mut().enumerate() {
            item.number = renumbered(&item.number, j);
        }
    }
}

fn taken(c: &Campaign, id: &str) -> bool {
    c.pillars
        .iter()
        .any(|p| p.id == id || p.items.iter().any(|it| it.id == id))
}

fn fresh_id(c: &Campaign, make: impl Fn(usize) -> String) -> String {
    (1..).map(make).find(|id| !taken(c, id)).unwrap_or_default()
}

/// A new pillar at the end, with one item; returns its index.
pub fn add_pillar(c: &mut Campaign) -> usize {
    let id = fresh_id(c, |k| format!("p{k}"));
    let item_id = fresh_id(c, |k| format!("{id}-{k}"));
    c.pillars.push(Pillar {
        id,
        number: String::new(),
        title: "新板块".into(),
        intro: String::new(),
        items: vec![Item {
            id: ItemId::from(item_id.as_str()),
            number: "一是".into(),
            title: "新事项".into(),
            hint: String::new(),
            min_photos: None,
            expects: Vec::new(),
        }],
    });
    renumber(c);
    c.pillars.len() - 1
}

/// A new item at the end of pillar `pi`, numbered in its style; returns its index.
pub fn add_item(c: &mut Campaign, pi: usize) -> Option<usize> {
    let pillar_id = c.pillars.get(pi)?.id.clone();
    let id = fresh_id(c, |k| format!("{pillar_id}-{k}"));
    let pillar = c.pillars.get_mut(pi)?;
    let number = pillar
        .items
        .last()
        .map_or_else(|| "一是".to_string(), |it| it.number.clone());
    pillar.items.push(Item {
        id: ItemId::from(id.as_str()),
        number,
        title: "新事项".into(),
        hint: String::new(),
        min_photos: None,
        expects: Vec::new(),
    });
    renumber(c);
    c.pillars.get(pi).map(|p| p.items.len() - 1)
}

pub fn remove_pillar(c: &mut Campaign, pi: usize) {
    if pi < c.pillars.len() {
        c.pillars.remove(pi);
        renumber(c);
    }
}

pub fn remove_item(c: &mut Campaign, pi: usize, j: usize) {
    if let Some(p) = c.pillars.get_mut(pi)
        && j < p.items.len()
    {
        p.items.remove(j);
        renumber(c);
    }
}

/// Move pillar `pi` one place up (`up`) or down; returns its new index.
pub fn move_pillar(c: &mut Campaign, pi: usize, up: bool) -> usize {
    let to = if up { pi.checked_sub(1) } else { Some(pi + 1) };
    match to {
        Some(to) if to < c.pillars.len() && pi < c.pillars.len() => {
            c.pillars.swap(pi, to);
            renumber(c);
            to
        }
        _ => pi,
    }
}

/// Move item `j` of pillar `pi` one place up or down within its pillar; returns its new index.
pub fn move_item(c: &mut Campaign, pi: usize, j: usize, up: bool) -> usize {
    let Some(p) = c.pillars.get_mut(pi) else {
        return j;
    };
    let to = if up { j.checked_sub(1) } else { Some(j + 1) };
    match to {
        Some(to) if to < p.items.len() && j < p.items.len() => {
            p.items.swap(j, to);
            renumber(c);
            to
        }
        _ => j,
    }
}

/// A new version of a campaign (a notice read again after a correction, an edited copy) keeps
/// the item ids of the version published before, so what clerks wrote under an item stays under
/// it: an item is matched by its id when its name is unchanged, else by its name; an item whose
/// id belonged to another item that is still there under that name (the notice gained an item
/// before it, and the reader numbered them afresh) gets a new id. An item renamed in the editor
/// keeps its id (its old name is nowhere else).
pub fn carry_ids(old: &Campaign, new: &mut Campaign) {
    let old_titles: Vec<(String, String)> = old
        .items()
        .map(|(_, it)| (it.id.to_string(), it.title.clone()))
        .collect();
    let new_titles: Vec<String> = new.items().map(|(_, it)| it.title.clone()).collect();
    let mut used: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut assigned: Vec<Vec<Option<String>>> = Vec::new();
    for pillar in &new.pillars {
        let mut row = Vec::new();
        for it in &pillar.items {
            let same_id = old_titles.iter().find(|(id, _)| *id == it.id.as_str());
            let by_title = old_titles.iter().find(|(_, t)| *t == it.title);
            let id = match (same_id, by_title) {
                (Some((id, t)), _) if *t == it.title => Some(id.clone()),
                (_, Some((id, _))) => Some(id.clone()),
                // Its id was another item's, and that item is still in the new version.
                (Some((_, t)), None) if new_titles.contains(t) => None,
                // Renamed where it stands.
                (Some((id, _)), None) => Some(id.clone()),
                (None, None) => Some(it.id.to_string()),
            };
            let id = id.filter(|id| !used.contains(id));
            if let Some(id) = &id {
                used.insert(id.clone());
            }
            row.push(id);
        }
        assigned.push(row);
    }
    let taken = |id: &str, used: &std::collections::HashSet<String>| {
        used.contains(id) || old_titles.iter().any(|(o, _)| o == id)
    };
    for (pi, pillar) in new.pillars.iter_mut().enumerate() {
        for (j, it) in pillar.items.iter_mut().enumerate() {
            match assigned.get(pi).and_then(|r| r.get(j)).cloned().flatten() {
                Some(id) => it.id = ItemId::from(id.as_str()),
                None => {
                    let fresh = (1..)
                        .map(|k| format!("{}-n{k}", pillar.id))
                        .find(|id| !taken(id, &used))
                        .unwrap_or_default();
                    used.insert(fresh.clone());
                    it.id = ItemId::from(fresh.as_str());
                }
            }
        }
    }
}

/// Everything that keeps the template from being saved for use or published, in order.
pub fn problems(c: &Campaign) -> Vec<EditProblem> {
    let mut out = Vec::new();
    let mut at = |at: EditPlace, message: String| out.push(EditProblem { at, message });
    let campaign = EditPlace::Campaign;
    for field in &c.unread {
        at(
            campaign,
            format!("“{field}”没有从通知中读出，请填写后在此确认"),
        );
    }
    if c.title.trim().is_empty() {
        at(campaign, "请填写活动名称".into());
    }
    if c.id.trim().is_empty()
        || !c
            .id
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
    {
        at(
            campaign,
            "活动编号只能由小写字母、数字和“-”组成，如 cq-liuyi-2025".into(),
        );
    }
    if c.receiver.name.trim().is_empty() {
        at(campaign, "请填写接收部门（如 市妇联宣传部）".into());
    }
    if c.window.start > c.window.end {
        at(campaign, "活动开始日期晚于截止日期".into());
    }
    if c.receiver.phone.trim().is_empty() && c.receiver.email.trim().is_empty() {
        at(
            campaign,
            "请至少填写联系电话或邮箱，单位有问题时好联系".into(),
        );
    }
    if c.units.is_empty() {
        at(EditPlace::Units, "报送单位名单是空的".into());
    }
    let mut seen = std::collections::HashSet::new();
    for unit in &c.units {
        if !seen.insert(unit.trim()) {
            at(EditPlace::Units, format!("报送单位“{unit}”重复"));
        }
        if unit.trim().is_empty() {
            at(EditPlace::Units, "报送单位名单中有空行".into());
        }
    }
    if c.pillars.is_empty() {
        at(campaign, "至少要有一个板块".into());
    }
    for (pi, p) in c.pillars.iter().enumerate() {
        if p.title.trim().is_empty() {
            at(
                EditPlace::Pillar(pi),
                format!("第{}个板块没有标题", cn_numeral(pi + 1)),
            );
        }
        if p.items.is_empty() {
            at(
                EditPlace::Pillar(pi),
                format!("板块“{}”没有任何事项", p.heading()),
            );
        }
        for (j, it) in p.items.iter().enumerate() {
            if it.title.trim().is_empty() {
                at(
                    EditPlace::Item(pi, j),
                    format!("板块“{}”的第{}个事项没有名称", p.heading(), j + 1),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(c: &Campaign) -> Vec<String> {
        c.pillars
            .iter()
            .flat_map(|p| {
                std::iter::once(format!("{}、", p.number))
                    .chain(p.items.iter().map(|it| format!("{}:{}", it.id, it.number)))
            })
            .collect()
    }

    #[test]
    fn numbers_follow_places_and_ids_stay() {
        let mut c = Campaign::builtin().unwrap();
        // Move 三要 (p3-3) up twice: it becomes 一要; the others follow in 是.
        let j = move_item(&mut c, 2, 2, true);
        let j = move_item(&mut c, 2, j, true);
        assert_eq!(j, 0);
        let p3: Vec<_> = c.pillars[2]
            .items
            .iter()
            .map(|it| format!("{}:{}{}", it.id, it.number, it.title))
            .collect();
        assert_eq!(
            p3,
            [
                "p3-3:一要切实维护妇女儿童合法权益",
                "p3-1:二是深化巾帼志愿活动",
                "p3-2:三是慰问帮扶困难妇女",
            ]
        );
        // Moving past the ends does nothing.
        assert_eq!(move_item(&mut c, 2, 0, true), 0);
        assert_eq!(move_pillar(&mut c, 2, false), 2);
        // Pillars: the third up to first, numbered 一、二、三 again, ids kept.
        let pi = move_pillar(&mut c, 2, true);
        let pi = move_pillar(&mut c, pi, true);
        assert_eq!(pi, 0);
        assert_eq!(c.pillars[0].id, "p3");
        assert_eq!(c.pillars[0].heading(), "一、聚焦妇儿需求，办好民生实事");
        assert_eq!(c.pillars[1].heading(), "二、强化政治引领，筑牢思想根基");
        // Added: fresh ids, numbered in the pillar's style; removed: the rest renumbered.
        let j = add_item(&mut c, 1).unwrap();
        assert_eq!(c.pillars[1].items[j].id, "p1-4");
        assert_eq!(c.pillars[1].items[j].number, "四是");
        remove_item(&mut c, 1, 0);
        assert_eq!(c.pillars[1].items[0].number, "一是");
        assert_eq!(c.pillars[1].items[2].number, "三是");
        let pi = add_pillar(&mut c);
        assert_eq!(c.pillars[pi].id, "p4");
        assert_eq!(c.pillars[pi].number, "四");
        assert_eq!(c.pillars[pi].items[0].id, "p4-1");
        remove_pillar(&mut c, 0);
        assert_eq!(
            numbers(&c)[0..2],
            ["一、".to_string(), "p1-2:一是".to_string()]
        );
        assert!(problems(&c).is_empty(), "{:?}", problems(&c));
    }

    #[test]
    fn a_new_version_keeps_the_ids_clerks_wrote_under() {
        let old = Campaign::builtin().unwrap();
        // The notice read again after an item was inserted before 二是: the reader numbered
        // them p1-1, p1-2 (the new one), p1-3, p1-4.
        let mut new = old.clone();
        let mut inserted = new.pillars[0].items[1].clone();
        inserted.title = "开展巾帼宣讲进万家".into();
        new.pillars[0].items.insert(1, inserted);
        for (j, it) in new.pillars[0].items.iter_mut().enumerate() {
            it.id = ItemId::from(format!("p1-{}", j + 1).as_str());
        }
        // And an item renamed where it stands.
        new.pillars[2].items[0].title = "深化巾帼志愿服务".into();
        carry_ids(&old, &mut new);
        let ids: Vec<String> = new.pillars[0]
            .items
            .iter()
            .map(|it| format!("{}={}", it.id, it.title))
            .collect();
        assert_eq!(
            ids,
            [
                "p1-1=加强理论武装",
                "p1-n1=开展巾帼宣讲进万家",
                "p1-2=强化宣传宣讲",
                "p1-3=抓好宣教融合",
            ]
        );
        assert_eq!(new.pillars[2].items[0].id, "p3-1", "renamed, same id");
        assert!(problems(&new).is_empty());
        assert_eq!(
            new.changes_from(&old),
            [
                "新增事项“开展巾帼宣讲进万家”",
                "事项“深化巾帼志愿活动”改为“深化巾帼志愿服务”",
            ]
        );
    }

    #[test]
    fn paren_and_digit_numbers_follow_too() {
        assert_eq!(renumbered("（三）", 0), "（一）");
        assert_eq!(renumbered("（3）", 1), "（2）");
        assert_eq!(renumbered("3.", 3), "4.");
        assert_eq!(renumbered("十二是", 0), "一是");
        assert_eq!(renumbered("首先", 4), "首先");
        assert_eq!(cn_numeral(10), "十");
        assert_eq!(cn_numeral(11), "十一");
        assert_eq!(cn_numeral(20), "二十");
        assert_eq!(cn_numeral(34), "三十四");
    }

    #[test]
    fn problems_say_where() {
        let mut c = Campaign::builtin().unwrap();
        c.title.clear();
        c.id = "CQ 2025".into();
        c.receiver.name.clear();
        c.receiver.phone.clear();
        c.receiver.email.clear();
        c.units.push("渝中区妇联".into());
        c.pillars[1].items[2].title = " ".into();
        c.pillars[2].items.clear();
        c.unread = vec!["截止时间".into()];
        let p = problems(&c);
        let said: Vec<(EditPlace, &str)> = p.iter().map(|p| (p.at, p.message.as_str())).collect();
        assert_eq!(
            said,
            [
                (
                    EditPlace::Campaign,
                    "“截止时间”没有从通知中读出，请填写后在此确认"
                ),
                (EditPlace::Campaign, "请填写活动名称"),
                (
                    EditPlace::Campaign,
                    "活动编号只能由小写字母、数字和“-”组成，如 cq-liuyi-2025"
                ),
                (EditPlace::Campaign, "请填写接收部门（如 市妇联宣传部）"),
                (
                    EditPlace::Campaign,
                    "请至少填写联系电话或邮箱，单位有问题时好联系"
                ),
                (EditPlace::Units, "报送单位“渝中区妇联”重复"),
                (
                    EditPlace::Item(1, 2),
                    "板块“二、开展主题活动，营造节日氛围”的第3个事项没有名称"
                ),
                (
                    EditPlace::Pillar(2),
                    "板块“三、聚焦妇儿需求，办好民生实事”没有任何事项"
                ),
            ]
        );
    }
}
