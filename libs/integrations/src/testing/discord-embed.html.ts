import { type DiscordExecuteBody } from './discord-contract.server';

/**
 * An HTML page that shows webhook bodies the way Discord's dark theme does (close enough for a
 * person to judge readability): per message the webhook name and any content, per embed a
 * colour bar, the title, the description (line breaks kept, markdown escapes shown as the
 * character they escape), inline fields three to a row, the footer and timestamp. Every text
 * goes in escaped: the page shows what was sent, it never runs it.
 */
export function discordMessagesHtml(bodies: readonly DiscordExecuteBody[]): string {
  const messages = bodies.map((body, index) => messageHtml(body, index)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Discord preview</title>
<style>
  body { margin: 0; padding: 16px 0; background: #313338; color: #dbdee1;
    font: 16px/1.375 "gg sans", "Noto Sans", "Helvetica Neue", Helvetica, Arial, sans-serif; }
  .message { display: flex; gap: 16px; padding: 8px 48px 8px 16px; }
  .avatar { flex: none; width: 40px; height: 40px; border-radius: 50%; background: #5865f2; }
  .body { min-width: 0; flex: 1; }
  .header { font-weight: 600; color: #f2f3f5; }
  .header .bot { font-size: 10px; background: #5865f2; color: #fff; border-radius: 3px;
    padding: 1px 4px; margin-left: 4px; vertical-align: middle; }
  .content { white-space: pre-wrap; overflow-wrap: anywhere; }
  .embed { display: grid; max-width: 516px; box-sizing: border-box; margin-top: 4px;
    background: #2b2d31; border-left: 4px solid var(--bar); border-radius: 4px;
    padding: 8px 16px 16px 12px; overflow: hidden; }
  .title { font-weight: 600; color: #f2f3f5; margin-top: 8px; overflow-wrap: anywhere; }
  .title a { color: #00a8fc; text-decoration: none; }
  .description { font-size: 14px; margin-top: 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
  .fields { display: grid; grid-template-columns: repeat(12, 1fr); gap: 8px; margin-top: 8px; }
  .field { grid-column: span 12; min-width: 0; font-size: 14px; }
  .field.inline { grid-column: span 4; }
  .field-name { font-weight: 600; color: #f2f3f5; margin-bottom: 2px; overflow-wrap: anywhere; }
  .field-value { white-space: pre-wrap; overflow-wrap: anywhere; }
  .footer { font-size: 12px; color: #b5bac1; margin-top: 8px; overflow-wrap: anywhere; }
</style></head>
<body>
${messages}
</body></html>`;
}

function messageHtml(body: DiscordExecuteBody, index: number): string {
  const embeds = (body.embeds ?? []).map(embedHtml).join('\n');
  const content = body.content ? `<div class="content">${shown(body.content)}</div>` : '';
  return `<div class="message" data-message="${index}">
  <div class="avatar"></div>
  <div class="body">
    <div class="header">${escape(body.username ?? 'webhook')}<span class="bot">APP</span></div>
    ${content}
    ${embeds}
  </div>
</div>`;
}

interface EmbedLike {
  title?: string | null;
  description?: string | null;
  url?: string | null;
  color?: number | null;
  fields?: { name?: string; value?: string; inline?: boolean }[] | null;
  footer?: { text?: string } | null;
  timestamp?: string | null;
}

function embedHtml(embed: EmbedLike): string {
  const bar = `#${(embed.color ?? 0x1e1f22).toString(16).padStart(6, '0')}`;
  const title = embed.title
    ? `<div class="title">${embed.url ? `<a href="#">${shown(embed.title)}</a>` : shown(embed.title)}</div>`
    : '';
  const description = embed.description
    ? `<div class="description">${shown(embed.description)}</div>`
    : '';
  const fields = (embed.fields ?? [])
    .map(
      (f) => `<div class="field${f.inline ? ' inline' : ''}">
        <div class="field-name">${shown(f.name ?? '')}</div>
        <div class="field-value">${shown(f.value ?? '')}</div>
      </div>`,
    )
    .join('');
  const when = embed.timestamp
    ? ` • ${escape(embed.timestamp.replace('T', ' ').slice(0, 16))} UTC`
    : '';
  const footer = embed.footer?.text
    ? `<div class="footer">${shown(embed.footer.text)}${when}</div>`
    : '';
  return `<div class="embed" style="--bar: ${bar}">
    ${title}${description}${fields ? `<div class="fields">${fields}</div>` : ''}${footer}
  </div>`;
}

/** What Discord displays for sent text: a markdown escape (`\\-`) shows the character alone. */
export function displayedText(text: string): string {
  return text.replace(/\\([\\`*_~|>#\-[\]().!:<@])/g, '$1');
}

function shown(text: string): string {
  return escape(displayedText(text));
}

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
