-- wrk script for bench/intake.sh: POST /api/v1/alerts with realistic, varied alerts.
--
-- Every request is a new alert of the demo station 339902510000 (lat 29.66-29.835, lon
-- 120.15-120.35): callers drawn from a pool where a few numbers call again and again (repeat
-- callers, 一人多报), places drawn from hotspots with GPS jitter and from anywhere in the area
-- (repeat places, many callers one event), 20 categories, descriptions in Simplified and
-- Traditional Chinese, phone numbers in the formats operators type (+86, spaces, dashes,
-- landlines). Every request carries an Idempotency-Key; about 2% repeat the key of an earlier
-- request of the same connection thread, as a client retry does (answered 201 with the first
-- alert, nothing stored). Cookie and CSRF token come from the environment (FQ_COOKIE, FQ_CSRF).
-- The figures line comes from bench/wrk-report.lua.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "wrk-report.lua")

local cookie = os.getenv("FQ_COOKIE") or ""
local csrf = os.getenv("FQ_CSRF") or ""

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local categories = {
  { "public_order.fight", { "酒吧门口有人打架，三四个人", "人民路酒吧門口有人打架，三四個人", "两伙人在夜宵摊打起来了" } },
  { "public_order.noise", { "楼上深夜装修噪音扰民", "樓下KTV太吵了，睡不著", "广场舞音响声音太大" } },
  { "public_order.drunk", { "有人喝醉了躺在路边", "醉酒男子在店里闹事" } },
  { "criminal.theft", { "电动车被偷了", "手機在菜市場被偷", "店里收银台的钱被人拿走" } },
  { "criminal.burglary", { "家里被撬门入室盗窃", "回家发现窗户被撬，东西丢了" } },
  { "criminal.fraud", { "接到冒充公检法电话被骗两万元", "網上刷單被騙了", "冒充客服退款诈骗" } },
  { "criminal.assault", { "被人打伤了，头在流血", "有人持棍伤人" } },
  { "traffic.accident", { "两车追尾，有人受伤", "電動車和汽車相撞", "路口发生交通事故，车辆堵住路口" } },
  { "traffic.congestion", { "学校门口堵车严重", "路口车辆乱停导致拥堵" } },
  { "traffic.drunk_driving", { "怀疑前车司机酒驾，车辆左右摇摆" } },
  { "dispute.neighbour", { "邻居因为漏水吵起来了", "鄰居占用樓道堆放雜物發生爭吵" } },
  { "dispute.family", { "夫妻吵架，摔东西", "家里老人和子女发生争执" } },
  { "dispute.consumer", { "饭店多收钱，双方发生纠纷", "网购退货纠纷，商家不认账" } },
  { "dispute.labour", { "工地老板拖欠工资，工人聚集讨薪" } },
  { "help.missing_person", { "老人走失，穿蓝色外套", "孩子放學沒回家，找不到了" } },
  { "help.locked_out", { "钥匙锁在家里进不去，孩子在里面" } },
  { "help.medical", { "路边有人晕倒", "老人摔倒起不来" } },
  { "fire.fire", { "小区楼道着火冒烟", "垃圾桶起火" } },
  { "fire.gas_leak", { "闻到很浓的煤气味" } },
  { "report.clue", { "发现可疑人员在小区里转悠", "舉報有人在出租屋聚眾賭博" } },
}

local sources = { "phone_110", "phone_110", "phone_110", "app", "walk_in", "patrol", "video" }
local surnames = { "张", "王", "李", "赵", "陈", "刘", "杨", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林" }
local given = { "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明" }
local streets = { "人民路", "解放路", "枫溪大道", "文化街", "新华路", "中山路", "建设路", "学府路", "滨江路", "花园街" }

-- 200 hotspots (a bar street, a market, a school gate ...): repeat places and many callers one event.
local hotspots = {}

local function phone_text(n)
  local s = string.format("%011d", n)
  local f = n % 5
  if f == 0 then return s end
  if f == 1 then return "+86 " .. s:sub(1, 3) .. "-" .. s:sub(4, 7) .. "-" .. s:sub(8) end
  if f == 2 then return "0086" .. s end
  if f == 3 then return s:sub(1, 3) .. " " .. s:sub(4, 7) .. " " .. s:sub(8) end
  return "0571-8" .. string.format("%07d", n % 10000000) -- a landline
end

local seq, keys, key_count -- tid is a global set by setup()

function init(args)
  tid = tid or 0
  seq = 0
  keys = {}
  key_count = 0
  math.randomseed(os.time() * 1000 + tid)
  for i = 1, 200 do
    hotspots[i] = {
      lat = 29.67 + math.random() * 0.155,
      lon = 120.16 + math.random() * 0.18,
      street = streets[math.random(#streets)],
      no = math.random(1, 300),
    }
  end
end

local function caller()
  local r = math.random()
  if r < 0.10 then return 13800000000 + math.random(1, 50) end      -- 50 numbers that call a lot
  if r < 0.50 then return 13900000000 + math.random(1, 20000) end   -- a town's worth of callers
  return 15000000000 + math.random(1, 99999999)                     -- mostly new numbers
end

local function body()
  local cat = categories[math.random(#categories)]
  local descs = cat[2]
  local lat, lon, addr
  if math.random() < 0.6 then
    local h = hotspots[math.random(#hotspots)]
    lat = h.lat + (math.random() - 0.5) * 0.0006 -- about ±30 m of GPS jitter
    lon = h.lon + (math.random() - 0.5) * 0.0006
    addr = string.format("枫溪镇%s%d号", h.street, h.no)
  else
    lat = 29.665 + math.random() * 0.165
    lon = 120.155 + math.random() * 0.19
    addr = string.format("枫溪镇%s%d号附近", streets[math.random(#streets)], math.random(1, 999))
  end
  -- Received now, as a 110 transfer gateway stamps it. (Times spread over the past minutes make
  -- the merge index's time-ordered inserts scan: see bench/README.md, "Out-of-order times".)
  local at = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - (tonumber(os.getenv("FQ_BENCH_AGO_MAX") or "0") > 0 and math.random(0, tonumber(os.getenv("FQ_BENCH_AGO_MAX"))) or 0))
  return string.format(
    '{"received_at":"%s","source":"%s","caller_name":"%s%s","caller_phone":"%s",' ..
    '"location":{"lat":%.6f,"lon":%.6f},"address":"%s","category":"%s","description":"%s"}',
    at, sources[math.random(#sources)], surnames[math.random(#surnames)], given[math.random(#given)],
    phone_text(caller()), lat, lon, addr, cat[1], descs[math.random(#descs)])
end

function request()
  local key
  seq = seq + 1
  if key_count > 0 and math.random() < 0.02 then
    key = keys[math.random(key_count)] -- a client retry
  else
    key = string.format("bench-%d-%d-%d", tid, os.time(), seq)
    if key_count < 1000 then
      key_count = key_count + 1
      keys[key_count] = key
    else
      keys[math.random(1000)] = key
    end
  end
  return wrk.format("POST", "/api/v1/alerts", {
    ["Content-Type"] = "application/json",
    ["Cookie"] = cookie,
    ["X-CSRF-Token"] = csrf,
    ["Idempotency-Key"] = key,
  }, body())
end
