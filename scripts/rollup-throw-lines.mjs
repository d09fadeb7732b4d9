// A rollup plugin that keeps Node from printing a line of minified bundle above an uncaught
// neurite error. Node prints the source line where the error was made (the first frame of its
// stack) with a caret, unless that line contains the marker `node-do-not-add-exception-line`
// (node/src/node_errors.cc, `GetErrorSource`). A line of the minified bundle is up to 1,000
// characters of code, printed above the message a newcomer needs to read. So each line that
// constructs an error (`new InvalidArgumentError(…)`, any class whose name ends in `Error`, in
// the chunk or imported from another chunk under a short name) gets the marker once, as a block
// comment before the construction: a comment between tokens, which changes nothing else.
// Cost: ~1.2 kB gzipped per entry (≈440 marked lines); test/package.test.ts checks the output.
// Deno and browsers print no source line; other runtimes ignore the comment.

const MARK = '/*node-do-not-add-exception-line*/';

/** The local names a chunk's `export { a as b }` gives each exported name. */
function exportsOf(ast) {
  const names = new Map();
  for (const node of ast.body) {
    if (node.type !== 'ExportNamedDeclaration' || node.source) continue;
    for (const s of node.specifiers) names.set(s.exported.name, s.local.name);
  }
  return names;
}

/** Calls `visit` on every node of `ast`. */
function walk(node, visit) {
  if (!node || typeof node.type !== 'string') return;
  visit(node);
  for (const key in node) {
    const v = node[key];
    if (Array.isArray(v)) for (const c of v) walk(c, visit);
    else if (v && typeof v.type === 'string') walk(v, visit);
  }
}

export function markThrowLines() {
  return {
    name: 'mark-throw-lines',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
      const asts = new Map(chunks.map((c) => [c.fileName, this.parse(c.code)]));
      const exported = new Map(chunks.map((c) => [c.fileName, exportsOf(asts.get(c.fileName))]));
      for (const chunk of chunks) {
        const ast = asts.get(chunk.fileName);
        // A name is an error class's if it is one (class names are kept), or imports one.
        const alias = new Map();
        for (const node of ast.body) {
          if (node.type !== 'ImportDeclaration' || !node.source.value.startsWith('./')) continue;
          const from = exported.get(node.source.value.slice(2));
          for (const s of node.specifiers) if (s.type === 'ImportSpecifier') alias.set(s.local.name, from?.get(s.imported.name) ?? s.imported.name);
        }
        const isError = (name) => /Error$/.test(alias.get(name) ?? name);
        const code = chunk.code;
        const at = [];
        walk(ast, (n) => {
          if (n.type === 'NewExpression' && n.callee.type === 'Identifier' && isError(n.callee.name)) at.push(n.start);
        });
        // One marker per line, before the line's first construction.
        at.sort((a, b) => a - b);
        const marks = [];
        let lineEnd = -1;
        for (const p of at) {
          if (p <= lineEnd) continue;
          marks.push(p);
          lineEnd = code.indexOf('\n', p);
          if (lineEnd === -1) lineEnd = Infinity;
        }
        let out = '';
        let from = 0;
        for (const p of marks) {
          out += code.slice(from, p) + MARK;
          from = p;
        }
        chunk.code = out + code.slice(from);
      }
    },
  };
}
