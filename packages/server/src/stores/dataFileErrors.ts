import { BatonError } from '@baton/engine';

const LEAVE = 'Baton left it as it is: restore it from a backup, or move it away to start without it.';

/** A file of the data directory that Baton cannot use: it refuses to start and leaves the file untouched. */
export class DataFileError extends BatonError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super('data_file_invalid', message);
  }
}

/** A data file that exists but is not JSON. */
export class CorruptDataFileError extends DataFileError {
  constructor(file: string, reason: string) {
    super(file, `${file} is not valid JSON (${reason}). ${LEAVE}`);
  }
}

/** A data file that is JSON but not what Baton writes there, with every problem named by its path. */
export class InvalidDataFileError extends DataFileError {
  constructor(file: string, problems: readonly string[]) {
    super(
      file,
      `${file} is not a Baton data file: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}. ${LEAVE}`,
    );
  }
}

/** A journal record that is damaged where no write can have been torn (a record after it is whole, or it is not the newest journal). */
export class DamagedJournalError extends DataFileError {
  constructor(file: string, line: number, offset: number, problem: string) {
    super(
      file,
      `${file} is damaged at line ${line} (byte ${offset}): the record there is ${problem}, and it is not a torn last write. ${LEAVE}`,
    );
  }
}

/** A journal whose records do not follow on from each other or from the snapshot: records are missing or out of place. */
export class JournalGapError extends DataFileError {
  constructor(file: string, line: number, problem: string) {
    super(
      file,
      `${file} line ${line}: ${problem}; records are missing or out of place, so the journal is damaged. ${LEAVE}`,
    );
  }
}
