/** Refusals an agent or supervisor can meet on the AML screen: plain words, what to do, both languages. */
import { AppError } from '../api/errors';

export const AmlErrors = {
  notFound: () => new AppError('aml.not_found', '没有这个可疑情况编号。', 'No such case number.'),
  note: () =>
    new AppError('aml.note', '请写明情况说明（2 到 200 个字，不能有控制字符）。',
      'Write a note on the case (2 to 200 characters, no control characters).'),
  reported: () =>
    new AppError('aml.reported', '这个情况已上报收单机构，不能再更改。', 'This case was already reported to the acquirer; it cannot change.'),
  noteFirst: () =>
    new AppError('aml.note_first', '请先写情况说明，再标记为已上报。', 'Write a note on the case before marking it reported.'),
  period: () =>
    new AppError('aml.period', '日期不正确：请选择起止日期（起始不晚于结束，最长一年）。',
      'The dates are not valid: choose a start and an end (start not after end, at most a year).'),
};
