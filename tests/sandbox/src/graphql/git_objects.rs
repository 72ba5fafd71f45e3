//! Git objects in GraphQL: `Ref` (name, prefix, target), `Commit` (oid, dates, message,
//! `history` in `git log` order), `Tree` and its entries, and `Blob` (text, size), read from
//! the repository's network store.

use super::document::Fld;
use super::exec::{Exec, Resolution, Resolved};
use super::objects::Obj;
use super::out::{s, Out};
use crate::git;
use crate::util::{node_id, rfc3339};

impl Exec<'_, '_> {
    /// The object `oid` of repository `repo`'s network as GraphQL types it: a `Tag` for an
    /// annotated tag's object, else a `Commit` (what refs point at).
    pub(super) fn git_object(&self, repo: usize, oid: git2::Oid) -> Obj {
        let net = self.ctx.sh.world().repos[repo].net;
        let is_tag = self
            .ctx
            .sh
            .store
            .with(net, |r| Ok(r.find_tag(oid).is_ok()))
            .unwrap_or(false);
        if is_tag {
            Obj::Tag { repo, oid }
        } else {
            Obj::Commit { repo, oid }
        }
    }

    /// A field of a `Ref`, `Commit`, `Tree`, `TreeEntry` or `Blob`.
    pub(super) fn git_field(&mut self, obj: &Obj, f: &Fld) -> Resolution {
        use Resolved::*;
        let sh = self.ctx.sh;
        let name = f.name.as_str();
        Ok(match obj {
            Obj::Ref {
                repo,
                prefix,
                name: rname,
                oid,
            } => match name {
                "id" => Leaf(s(node_id("Ref", format!("{repo}:{prefix}{rname}")))),
                "name" => Leaf(s(rname.clone())),
                "prefix" => Leaf(s(prefix.clone())),
                "target" => One(self.git_object(*repo, *oid)),
                _ => Null,
            },
            Obj::Commit { repo, oid } => return self.commit_field(*repo, *oid, f),
            Obj::Tag { repo, oid } => {
                let net = sh.world().repos[*repo].net;
                let tag = sh
                    .store
                    .with(net, |r| {
                        let t = r.find_tag(*oid)?;
                        Ok((
                            t.name().unwrap_or_default().to_string(),
                            t.message().ok().flatten().map(|m| m.to_string()),
                            t.target_id(),
                        ))
                    })
                    .map_err(|e| (None, e.to_string(), None))?;
                match name {
                    "oid" => Leaf(s(oid.to_string())),
                    "abbreviatedOid" => Leaf(s(oid.to_string()[..7].to_string())),
                    "id" => Leaf(s(node_id("Tag", oid))),
                    "name" => Leaf(s(tag.0)),
                    "message" => tag.1.map(|m| Leaf(s(m))).unwrap_or(Null),
                    "target" => One(self.git_object(*repo, tag.2)),
                    _ => Null,
                }
            }
            Obj::Tree { repo, oid, prefix } => match name {
                "oid" => Leaf(s(oid.to_string())),
                "abbreviatedOid" => Leaf(s(oid.to_string()[..7].to_string())),
                "id" => Leaf(s(node_id("Tree", oid))),
                "entries" => {
                    let net = sh.world().repos[*repo].net;
                    let items = sh
                        .store
                        .with(net, |r| git::list_tree(r, *oid, false))
                        .map_err(|e| (None, e.to_string(), None))?;
                    Many(
                        items
                            .into_iter()
                            .map(|it| Obj::Entry {
                                path: format!("{prefix}{}", it.name),
                                name: it.name,
                                kind: it.kind,
                                mode: i64::from_str_radix(&it.mode, 8).unwrap_or(0),
                                oid: it.oid,
                            })
                            .collect(),
                    )
                }
                _ => Null,
            },
            Obj::Entry {
                name: n,
                path,
                kind,
                mode,
                oid,
            } => Leaf(match name {
                "name" => s(n.clone()),
                "path" => s(path.clone()),
                "type" => s(*kind),
                "mode" => Out::Int(*mode),
                "oid" => s(oid.to_string()),
                _ => Out::Null,
            }),
            Obj::Blob { repo, oid } => {
                let net = sh.world().repos[*repo].net;
                let data = sh
                    .store
                    .with(net, |r| Ok(r.find_blob(*oid)?.content().to_vec()))
                    .map_err(|e| (None, e.to_string(), None))?;
                let binary = data.contains(&0);
                Leaf(match name {
                    "oid" => s(oid.to_string()),
                    "abbreviatedOid" => s(oid.to_string()[..7].to_string()),
                    "id" => s(node_id("Blob", oid)),
                    "text" if binary => Out::Null,
                    "text" => s(String::from_utf8_lossy(&data).into_owned()),
                    "byteSize" => Out::Int(data.len() as i64),
                    "isBinary" => Out::Bool(binary),
                    "isTruncated" => Out::Bool(false),
                    _ => Out::Null,
                })
            }
            _ => Null,
        })
    }

    /// A field of a `Commit`; `history` lists its ancestry, newest first.
    fn commit_field(&mut self, repo: usize, oid: git2::Oid, f: &Fld) -> Resolution {
        use Resolved::*;
        let sh = self.ctx.sh;
        let name = f.name.as_str();
        let (repo, oid) = (&repo, &oid);
        if name == "history" {
            // `git log` order from this commit; `path`, `since`, `until` and `author`
            // filters are not served (the action does not send them).
            if ["path", "since", "until", "author"]
                .iter()
                .any(|a| self.arg(f, a).is_some())
            {
                return Err((
                    None,
                    "the sandbox serves Commit.history without filters only".into(),
                    None,
                ));
            }
            let net = sh.world().repos[*repo].net;
            let all = sh
                .store
                .with(net, |r| git::history(r, *oid))
                .map_err(|e| (None, e.to_string(), None))?;
            let repo = *repo;
            return self.page(
                f,
                all.into_iter()
                    .map(|oid| Obj::Commit { repo, oid })
                    .collect(),
            );
        }
        let net = sh.world().repos[*repo].net;
        let full = sh.world().repos[*repo].full_name();
        let info = sh
            .store
            .with(net, |r| git::commit_info(r, *oid))
            .map_err(|e| (None, e.to_string(), None))?;
        Ok(Leaf(match name {
            "oid" => s(oid.to_string()),
            "abbreviatedOid" => s(oid.to_string()[..7].to_string()),
            "id" => s(node_id("Commit", oid)),
            "committedDate" => s(rfc3339(info.committer.2)),
            "authoredDate" => s(rfc3339(info.author.2)),
            "message" => s(info.message.trim_end().to_string()),
            "messageHeadline" => s(info.message.lines().next().unwrap_or("").to_string()),
            "url" => s(format!("{}/{full}/commit/{oid}", sh.base)),
            _ => Out::Null,
        }))
    }
}
