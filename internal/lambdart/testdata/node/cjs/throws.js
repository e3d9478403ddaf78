throw new TypeError('init exploded');
