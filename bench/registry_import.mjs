// Writes a CSV of N people living at N/2 addresses, as a station would
// export them (Chinese header, GB 11643 ID numbers with valid check
// characters, some full-width digits, some blank phones), to the file named
// by the first argument. N from the second argument (default 100000). A
// file name ending in .xlsx gets the same rows as an Excel workbook (shared
// strings, as office suites write them).
import { writeFileSync } from 'node:fs';
import { idNumber } from '../tests/lib/idgen.mjs';
import { writeXlsx } from '../tests/lib/sheets.mjs';

const [file, nArg] = process.argv.slice(2);
const N = Number(nArg || 100000);
const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛';
const given = '伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁建国志海林峰文俊东亮浩宇龙成芳娜敏静丽艳娟霞秀英玲燕红梅琳萍雪慧婷倩洁颖兰凤莉云佳欣怡悦';
const roads = ['人民路', '解放路', '建设路', '中山路', '新华路', '文化路', '和平路', '胜利路', '青年路', '东风路'];
let seed = 12345;
// xorshift32: exact in 32-bit integer arithmetic.
const rnd = (n) => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; };
const fw = (s) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
const lines = ['姓名,身份证号,手机号,住址,性别,户籍地,人员类别'];
const used = new Set();
for (let i = 0; i < N; i++) {
  const h = Math.floor(i / 2);
  const addr = `枫溪镇${roads[h % roads.length]}${Math.floor(h / 240) + 1}号${Math.floor((h % 240) / 24) + 1}幢${(h % 24) + 101}室`;
  let id;
  do {
    const y = 1940 + rnd(70), m = 1 + rnd(12), d = 1 + rnd(28);
    id = idNumber('339902', `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`, rnd(1000));
  } while (used.has(id));
  used.add(id);
  const male = Number(id[16]) % 2 === 1;
  const name = surnames[rnd(surnames.length)] + given[rnd(given.length)] + (rnd(3) ? given[rnd(given.length)] : '');
  const phone = rnd(10) ? `13${rnd(10)}${String(rnd(100000000)).padStart(8, '0')}` : '';
  lines.push([name, i % 10 === 0 ? fw(id) : id, i % 7 === 0 ? fw(phone) : phone, i % 5 === 0 ? fw(addr) : addr, male ? '男' : '女', '浙江省枫溪县', i % 50 === 0 ? '独居老人' : '常住人口'].join(','));
}
if (file.endsWith('.xlsx')) writeFileSync(file, writeXlsx(lines.map((l) => l.split(',')), { name: '人口' }));
else writeFileSync(file, lines.join('\n') + '\n');
