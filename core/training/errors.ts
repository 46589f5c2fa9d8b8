/** Errors of the training feature a trainer or trainee can meet: a stable code, zh-CN and en. */
import { AppError } from '../api/errors';

export const TrainingErrors = {
  liveMode: () =>
    new AppError('training.live_mode', '培训功能只在培训（演示）模式下可用，真实收银模式不能使用。',
      'Training is only available in demo (training) mode, never on a live terminal.'),
  unknownLesson: () => new AppError('training.unknown_lesson', '没有这个课程。', 'No such lesson.'),
  unavailable: (missing: string[]) =>
    new AppError('training.lesson_unavailable', `本课程所需的模块尚未安装（${missing.join('、')}），暂时不能开始。`,
      `A module this lesson needs is not installed yet (${missing.join(', ')}), so it cannot start.`, { missing }),
  noLesson: () => new AppError('training.no_lesson', '现在没有进行中的课程。', 'No lesson is running.'),
  notQuiz: () =>
    new AppError('training.not_quiz', '当前步骤不是选择题，请按提示操作。', 'The current step is not a question; follow the instruction.'),
  badChoice: () => new AppError('training.bad_choice', '没有这个选项，请重新选择。', 'No such choice; choose again.'),
  noOfflineCode: () =>
    new AppError('training.no_offline_code', '这位演示顾客还没有出示过离线码：请先在顾客手机上点“离线码”。',
      'This demo customer has not shown an offline code yet: press “Offline code” on the customer phone first.'),
  noOfflineDemo: () =>
    new AppError('feature.unavailable', '离线模拟收单机构未启用，无法演示上传后拒付。',
      'The simulated offline acquirer is not running, so a decline after forwarding cannot be shown.'),
  resetRefused: () =>
    new AppError('training.reset_refused', '重置已拒绝：当前数据文件不是培训数据文件。未做任何更改。',
      'Reset refused: the open data file is not the training file. Nothing was changed.'),
};
