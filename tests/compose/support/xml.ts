/**
 * A small XML well-formedness check (ClickHouse refuses to start on a malformed config file, and
 * no XML parser ships with Node): one root element, tags nested and closed in order, attributes
 * quoted, entities known. Returns the element tree for further checks.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*$/;
const ENTITY = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

export function parseXml(source: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const fail = (message: string): never => {
    const line = source.slice(0, i).split('\n').length;
    throw new Error(`XML line ${line}: ${message}`);
  };
  if (source.startsWith('<?xml')) {
    i = source.indexOf('?>');
    if (i < 0) fail('unterminated XML declaration');
    i += 2;
  }
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const text = source.slice(i, lt < 0 ? source.length : lt);
    if (ENTITY.test(text)) fail('bare & in text');
    if (text.trim() !== '') {
      if (stack.length === 0) fail('text outside the root element');
      stack[stack.length - 1]!.text += text.trim();
    }
    if (lt < 0) break;
    i = lt;
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment');
      if (source.slice(i + 4, end).includes('--')) fail('"--" inside a comment');
      i = end + 3;
      continue;
    }
    if (source.startsWith('<![CDATA[', i)) {
      const end = source.indexOf(']]>', i);
      if (end < 0) fail('unterminated CDATA');
      i = end + 3;
      continue;
    }
    const gt = source.indexOf('>', i);
    if (gt < 0) fail('unterminated tag');
    const tag = source.slice(i + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open) fail(`closing </${name}> without an open element`);
      if (open!.name !== name) fail(`</${name}> closes <${open!.name}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const nameMatch = /^\s*([^\s/]+)/.exec(body);
    const name = nameMatch?.[1] ?? '';
    if (!NAME.test(name)) fail(`bad element name "${name}"`);
    const attributes: Record<string, string> = {};
    let rest = body.slice(nameMatch![0].length);
    const attribute = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/;
    for (let m = attribute.exec(rest); m; m = attribute.exec(rest)) {
      if (m[1]! in attributes) fail(`duplicate attribute ${m[1]}`);
      attributes[m[1]!] = m[3] ?? m[4] ?? '';
      rest = rest.slice(m[0].length);
    }
    if (rest.trim() !== '') fail(`malformed attributes in <${name}>: "${rest.trim()}"`);
    const element: XmlElement = { name, attributes, children: [], text: '' };
    if (stack.length === 0) {
      if (root) fail('more than one root element');
      root = element;
    } else {
      stack[stack.length - 1]!.children.push(element);
    }
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> is never closed`);
  if (!root) fail('no root element');
  return root!;
}

/** The first descendant along a path of element names, e.g. `users/grafana/profile`. */
export function find(element: XmlElement, path: string): XmlElement | undefined {
  let current: XmlElement | undefined = element;
  for (const name of path.split('/')) current = current?.children.find((c) => c.name === name);
  return current;
}
