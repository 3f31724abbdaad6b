import unavailable from './unavailable';

export default { ...unavailable };
