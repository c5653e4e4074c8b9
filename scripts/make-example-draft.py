#!/usr/bin/env python3
"""Remake docs/example-draft/: the published schema-1 example (tests/fixtures/draft-schema-1.json)
brought to the current schema, with a small photo, a one-second video and a link attached, so the
folder shows the format whole. `baosong validate docs/example-draft` must still exit 0.

Needs ffmpeg and ImageMagick (to make the two media files) and a built `target/debug/baosong`
(its `inspect` gives the files' metadata). Run from the repository root:
    python3 scripts/make-example-draft.py
"""
import hashlib
import json
import os
import subprocess
import sys

OUT = "docs/example-draft"
FILES = os.path.join(OUT, "files")


def inspect(path):
    out = subprocess.run(["target/debug/baosong", "inspect", path], check=True, capture_output=True)
    return json.loads(out.stdout)


def stored(attachment_id, path, original, caption, added_at):
    info = inspect(path)
    st = os.stat(path)
    media = {k: info.get(k) for k in ["width", "height", "duration_ms", "frame_rate", "codec",
                                      "rotation", "pages", "taken_at", "warning"]}
    return {
        "id": attachment_id,
        "caption": caption,
        "added_at": added_at,
        "material": {
            "type": "file",
            "kind": info["kind"],
            "format": info["format"],
            "original_name": original,
            "stored_name": os.path.basename(path),
            "bytes": info["bytes"],
            "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(),
            "modified_ms": int(st.st_mtime * 1000),
            "location_removed": False,
            "info": media,
        },
    }


def main():
    draft = json.load(open("tests/fixtures/draft-schema-1.json", encoding="utf-8"))
    os.makedirs(FILES, exist_ok=True)
    photo = os.path.join(FILES, "f1.jpg")
    video = os.path.join(FILES, "f2.mp4")
    subprocess.run(["convert", "-size", "320x240", "gradient:#c0392b-#f7dc6f", "-quality", "80",
                    "-strip", photo], check=True)
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=160x90:rate=10", "-t", "1", "-pix_fmt", "yuv420p", "-c:v",
                    "libx264", "-movflags", "+faststart", video], check=True)
    at = "2024-03-05T18:20:00+08:00"
    activity = draft["answers"]["p1-2"]["activities"][0]
    activity["attachments"] = [
        stored("f1", photo, "宣讲现场.jpg", "“巾帼大宣讲”进社区现场", at),
        stored("f2", video, "宣讲片段.mp4", "宣讲片段", at),
        {
            "id": "f3",
            "caption": "",
            "added_at": at,
            "material": {"type": "link", "url": "https://mp.weixin.qq.com/s/example-yuzhong",
                         "platform": "微信公众号", "title": "渝中区妇联公众号报道"},
        },
    ]
    draft["schema"] = 2
    draft["next_attachment"] = 4
    draft["general"] = []
    draft["removed"] = []
    with open(os.path.join(OUT, "draft.json"), "w", encoding="utf-8") as f:
        json.dump(draft, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"{OUT}: schema 2, {len(activity['attachments'])} attachments")
    return 0


if __name__ == "__main__":
    sys.exit(main())
