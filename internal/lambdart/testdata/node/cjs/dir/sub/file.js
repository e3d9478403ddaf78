exports.handler = async (event) => ({ nested: 'dir/sub/file', event });
