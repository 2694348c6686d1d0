// The project's own lint rules (eslint.config.mjs loads them as the plugin "obs-platform").

/**
 * Optional properties of the exported props interfaces (named `...Props`, `...Options` or `...Spec`,
 * the ones users fill in) carry a JSDoc comment with `@default`: users read defaults in their
 * editor. Interfaces marked `@internal` are exempt.
 */
const optionalPropDefault = {
  meta: {
    type: 'suggestion',
    docs: { description: 'an optional property of an exported interface documents its default with @default' },
    schema: [],
    messages: {
      missing: 'Optional property "{{name}}" of exported interface {{iface}} has no @default in its JSDoc: say what applies when it is left out.',
    },
  },
  create(context) {
    const source = context.sourceCode;
    return {
      'ExportNamedDeclaration > TSInterfaceDeclaration TSPropertySignature[optional=true]'(node) {
        // Only the interface's own members, not those of nested type literals.
        const iface = node.parent?.parent;
        if (iface?.type !== 'TSInterfaceDeclaration' || !/(Props|Options|Spec)$/.test(iface.id.name)) return;
        const ifaceDoc = source
          .getCommentsBefore(iface.parent)
          .filter((c) => c.type === 'Block')
          .pop();
        if (ifaceDoc && /@internal\b/.test(ifaceDoc.value)) return;
        const comments = source.getCommentsBefore(node).filter((c) => c.type === 'Block' && c.value.startsWith('*'));
        const doc = comments[comments.length - 1];
        if (doc && /@default\b/.test(doc.value)) return;
        const name = node.key.type === 'Identifier' ? node.key.name : source.getText(node.key);
        context.report({ node, messageId: 'missing', data: { name, iface: iface.id.name } });
      },
    };
  },
};

export default { rules: { 'optional-prop-default': optionalPropDefault } };
