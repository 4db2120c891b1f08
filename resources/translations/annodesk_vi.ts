<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi">
<context>
    <name>AttributeEditor</name>
    <message>
        <source>No shape selected</source>
        <translation>Chưa chọn hình nào</translation>
    </message>
</context>
<context>
    <name>AudioController</name>
    <message>
        <source>Select a time range or a segment to play it</source>
        <translation>Chọn một khoảng thời gian hoặc một phân đoạn để phát</translation>
    </message>
    <message>
        <source>Cannot play {0}: {1}</source>
        <translation>Không thể phát {0}: {1}</translation>
    </message>
    <message>
        <source>Reading {0}…</source>
        <translation>Đang đọc {0}…</translation>
    </message>
    <message>
        <source>Reading {0}</source>
        <translation>Đang đọc {0}</translation>
    </message>
    <message>
        <source>Split: put the playhead inside a segment</source>
        <translation>Tách: đặt đầu phát vào trong một phân đoạn</translation>
    </message>
    <message>
        <source>No more segments on this tier</source>
        <translation>Không còn phân đoạn nào trên tầng này</translation>
    </message>
</context>
<context>
    <name>AudioControls</name>
    <message>
        <source>Waveform</source>
        <translation>Dạng sóng</translation>
    </message>
    <message>
        <source>Spectrogram</source>
        <translation>Phổ đồ</translation>
    </message>
    <message>
        <source>Both</source>
        <translation>Cả hai</translation>
    </message>
    <message>
        <source>Play / pause (Space); Shift+Space plays the selection</source>
        <translation>Phát / tạm dừng (Space); Shift+Space phát vùng chọn</translation>
    </message>
    <message>
        <source>Loop</source>
        <translation>Lặp</translation>
    </message>
    <message>
        <source>Play the selection (or the selected segment) again and again (Shift+L)</source>
        <translation>Phát lặp lại vùng chọn (hoặc phân đoạn đã chọn) (Shift+L)</translation>
    </message>
    <message>
        <source>Speed, pitch kept ([ and ])</source>
        <translation>Tốc độ, giữ nguyên cao độ ([ và ])</translation>
    </message>
    <message>
        <source>What the view shows (Shift+S)</source>
        <translation>Nội dung hiển thị (Shift+S)</translation>
    </message>
    <message>
        <source>Linear Hz</source>
        <translation>Hz tuyến tính</translation>
    </message>
    <message>
        <source>Mel</source>
        <translation>Mel</translation>
    </message>
    <message>
        <source>The spectrogram&apos;s frequency scale</source>
        <translation>Thang tần số của phổ đồ</translation>
    </message>
    <message>
        <source>Transcription of the selected segment (F2)</source>
        <translation>Bản chép lời của phân đoạn đã chọn (F2)</translation>
    </message>
    <message>
        <source>Tier: {0}</source>
        <translation>Tầng: {0}</translation>
    </message>
    <message>
        <source>segments</source>
        <translation>phân đoạn</translation>
    </message>
    <message>
        <source>model {0}</source>
        <translation>mô hình {0}</translation>
    </message>
    <message>
        <source>human</source>
        <translation>người</translation>
    </message>
</context>
<context>
    <name>AudioPlayback</name>
    <message>
        <source>No audio output device: playing silently (the playhead, selections and loops still work)</source>
        <translation>Không có thiết bị phát âm thanh: phát không tiếng (đầu phát, vùng chọn và lặp vẫn hoạt động)</translation>
    </message>
</context>
<context>
    <name>AuditController</name>
    <message>
        <source>This workspace is not synced: the audit trail is the server&apos;s</source>
        <translation>Không gian làm việc này không đồng bộ: nhật ký kiểm tra nằm trên máy chủ</translation>
    </message>
    <message>
        <source>The audit trail is for the project&apos;s leads and admins</source>
        <translation>Nhật ký kiểm tra dành cho trưởng nhóm của dự án và quản trị viên</translation>
    </message>
    <message>
        <source>Fetching the audit trail…</source>
        <translation>Đang tải nhật ký kiểm tra…</translation>
    </message>
    <message>
        <source>Audit trail</source>
        <translation>Nhật ký kiểm tra</translation>
    </message>
    <message>
        <source>{0} rows, newest first</source>
        <translation>{0} dòng, mới nhất trước</translation>
    </message>
    <message>
        <source>The server refused: {0}</source>
        <translation>Máy chủ từ chối: {0}</translation>
    </message>
    <message>
        <source>Offline: {0}</source>
        <translation>Ngoại tuyến: {0}</translation>
    </message>
</context>
<context>
    <name>AuditDialog</name>
    <message>
        <source>Audit trail</source>
        <translation>Nhật ký kiểm tra</translation>
    </message>
    <message>
        <source>Filter: a user, an action (task.review), a task (task:12)…</source>
        <translation>Lọc: người dùng, hành động (task.review), tác vụ (task:12)…</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Lúc</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Ai</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Việc gì</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Trên</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Chi tiết</translation>
    </message>
    <message>
        <source>Audit trail · {0} of {1} rows</source>
        <translation>Nhật ký kiểm tra · {0}/{1} dòng</translation>
    </message>
</context>
<context>
    <name>CommentDialog</name>
    <message>
        <source>New comment</source>
        <translation>Bình luận mới</translation>
    </message>
    <message>
        <source>What is wrong, or what to check</source>
        <translation>Điều gì sai, hoặc cần kiểm tra gì</translation>
    </message>
    <message>
        <source>the selected shape</source>
        <translation>hình đang chọn</translation>
    </message>
    <message>
        <source>the point under the pointer</source>
        <translation>điểm dưới con trỏ</translation>
    </message>
    <message>
        <source>the area on show</source>
        <translation>vùng đang hiện</translation>
    </message>
    <message>
        <source>the whole task</source>
        <translation>cả tác vụ</translation>
    </message>
    <message>
        <source>Pinned to</source>
        <translation>Ghim vào</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>Khung hình</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Thời gian</translation>
    </message>
</context>
<context>
    <name>ConnectController</name>
    <message>
        <source>Sign out of {0} as {1}?</source>
        <translation>Đăng xuất khỏi {0} với tên {1}?</translation>
    </message>
    <message>
        <source> The {0} changes waiting stay on this computer and are sent when you sign in again.</source>
        <translation> {0} thay đổi đang chờ vẫn ở trên máy này và sẽ được gửi khi bạn đăng nhập lại.</translation>
    </message>
    <message>
        <source>Signing in to {0}…</source>
        <translation>Đang đăng nhập vào {0}…</translation>
    </message>
    <message>
        <source>Signing in</source>
        <translation>Đang đăng nhập</translation>
    </message>
    <message>
        <source>Signed in to {0} as {1}</source>
        <translation>Đã đăng nhập vào {0} với tên {1}</translation>
    </message>
    <message>
        <source>Cloning</source>
        <translation>Đang sao chép về máy</translation>
    </message>
    <message>
        <source>Downloading media: {0} / {1} files</source>
        <translation>Đang tải dữ liệu: {0} / {1} tệp</translation>
    </message>
    <message>
        <source>Making the workspace in {0} and downloading the tasks of {1}…</source>
        <translation>Đang tạo không gian làm việc trong {0} và tải các tác vụ của {1}…</translation>
    </message>
    <message>
        <source>Cancelled: nothing was kept. Choose a project to try again.</source>
        <translation>Đã hủy: không giữ lại gì. Hãy chọn một dự án để thử lại.</translation>
    </message>
    <message>
        <source>Cloned {0} into {1}</source>
        <translation>Đã sao chép {0} về {1}</translation>
    </message>
    <message>
        <source>Sign-in cancelled.</source>
        <translation>Đã hủy đăng nhập.</translation>
    </message>
    <message>
        <source>Could not sign out: {0}</source>
        <translation>Không đăng xuất được: {0}</translation>
    </message>
    <message>
        <source>Signed out of {0} ({1})</source>
        <translation>Đã đăng xuất khỏi {0} ({1})</translation>
    </message>
    <message>
        <source>Signing out</source>
        <translation>Đang đăng xuất</translation>
    </message>
</context>
<context>
    <name>ConnectDialog</name>
    <message>
        <source>Connect to a server</source>
        <translation>Kết nối máy chủ</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Đăng nhập</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Chọn…</translation>
    </message>
    <message>
        <source>Clone and open</source>
        <translation>Sao chép về máy và mở</translation>
    </message>
    <message>
        <source>Sign in as someone else</source>
        <translation>Đăng nhập bằng tài khoản khác</translation>
    </message>
    <message>
        <source>Server address:</source>
        <translation>Địa chỉ máy chủ:</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>Tên người dùng:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Mật khẩu:</translation>
    </message>
    <message>
        <source>Projects you may work in:</source>
        <translation>Các dự án bạn được làm:</translation>
    </message>
    <message>
        <source>Workspace folder:</source>
        <translation>Thư mục không gian làm việc:</translation>
    </message>
    <message>
        <source>A new folder named after the project is made inside the folder you choose</source>
        <translation>Một thư mục mới mang tên dự án sẽ được tạo trong thư mục bạn chọn</translation>
    </message>
    <message>
        <source>Sign in with the account your team lead gave you.</source>
        <translation>Đăng nhập bằng tài khoản trưởng nhóm đã cấp cho bạn.</translation>
    </message>
    <message>
        <source>Signed in to {0} as {1}.</source>
        <translation>Đã đăng nhập vào {0} với tên {1}.</translation>
    </message>
    <message>
        <source>{0} has no project on this server yet: ask your team lead to assign you tasks.</source>
        <translation>{0} chưa có dự án nào trên máy chủ này: hãy nhờ trưởng nhóm giao tác vụ cho bạn.</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Đang hủy…</translation>
    </message>
</context>
<context>
    <name>DashboardController</name>
    <message>
        <source>Dashboard</source>
        <translation>Bảng số liệu</translation>
    </message>
    <message>
        <source>Open a workspace to see its project&apos;s dashboard</source>
        <translation>Mở một không gian làm việc để xem bảng số liệu của dự án</translation>
    </message>
    <message>
        <source>This workspace is not synced: the dashboard shows a server&apos;s figures</source>
        <translation>Không gian làm việc này không đồng bộ: bảng số liệu hiển thị số liệu của máy chủ</translation>
    </message>
    <message>
        <source>The dashboard is for leads and admins</source>
        <translation>Bảng số liệu dành cho trưởng nhóm và quản trị viên</translation>
    </message>
    <message>
        <source>Updated {0}</source>
        <translation>Cập nhật lúc {0}</translation>
    </message>
    <message>
        <source>The server refused: {0}</source>
        <translation>Máy chủ từ chối: {0}</translation>
    </message>
    <message>
        <source>Offline: no figures yet ({0})</source>
        <translation>Ngoại tuyến: chưa có số liệu ({0})</translation>
    </message>
    <message>
        <source>Offline: the figures are from {0} ({1})</source>
        <translation>Ngoại tuyến: số liệu từ lúc {0} ({1})</translation>
    </message>
</context>
<context>
    <name>DashboardPanel</name>
    <message>
        <source>Last 24 hours</source>
        <translation>24 giờ qua</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>7 ngày qua</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>30 ngày qua</translation>
    </message>
    <message>
        <source>Tasks submitted per annotator</source>
        <translation>Tác vụ đã nộp theo người gán nhãn</translation>
    </message>
    <message>
        <source>Active time per annotator</source>
        <translation>Thời gian làm việc theo người gán nhãn</translation>
    </message>
    <message>
        <source>Longest tasks by active time</source>
        <translation>Tác vụ tốn nhiều thời gian làm việc nhất</translation>
    </message>
    <message>
        <source>Review decisions per annotator</source>
        <translation>Quyết định duyệt theo người gán nhãn</translation>
    </message>
    <message>
        <source>Review decisions per label</source>
        <translation>Quyết định duyệt theo nhãn</translation>
    </message>
    <message>
        <source>Labels corrected into other labels</source>
        <translation>Nhãn bị sửa thành nhãn khác</translation>
    </message>
    <message>
        <source>Lots accepted and rejected</source>
        <translation>Lô được chấp nhận và bị từ chối</translation>
    </message>
    <message>
        <source>Pre-label acceptance per model</source>
        <translation>Tỷ lệ chấp nhận gán nhãn trước theo mô hình</translation>
    </message>
    <message>
        <source>Consensus agreement per annotator</source>
        <translation>Mức đồng thuận theo người gán nhãn</translation>
    </message>
    <message>
        <source>Gold task accuracy per annotator</source>
        <translation>Độ chính xác trên tác vụ chuẩn theo người gán nhãn</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>chấp nhận</translation>
    </message>
    <message>
        <source>accepted after fixes</source>
        <translation>chấp nhận sau khi sửa</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>từ chối</translation>
    </message>
    <message>
        <source>returned with a lot</source>
        <translation>trả lại cùng lô</translation>
    </message>
    <message>
        <source>edited</source>
        <translation>đã sửa</translation>
    </message>
    <message>
        <source>still predictions</source>
        <translation>vẫn là dự đoán</translation>
    </message>
    <message>
        <source>active time</source>
        <translation>thời gian làm việc</translation>
    </message>
    <message>
        <source>score</source>
        <translation>điểm</translation>
    </message>
    <message>
        <source>task id</source>
        <translation>mã tác vụ</translation>
    </message>
    <message>
        <source>task</source>
        <translation>tác vụ</translation>
    </message>
    <message>
        <source>annotator</source>
        <translation>người gán nhãn</translation>
    </message>
    <message>
        <source>others (%1)</source>
        <translation>khác (%1)</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 giây</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 phút %2 giây</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 giờ %2 phút</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 giờ</translation>
    </message>
    <message>
        <source>Tasks submitted</source>
        <translation>Tác vụ đã nộp</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Đã chấp nhận</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Đã từ chối</translation>
    </message>
    <message>
        <source>Active time</source>
        <translation>Thời gian làm việc</translation>
    </message>
    <message>
        <source>Lots accepted / rejected</source>
        <translation>Lô chấp nhận / từ chối</translation>
    </message>
    <message>
        <source>Label corrections</source>
        <translation>Lượt sửa nhãn</translation>
    </message>
    <message>
        <source>Pre-labels kept unchanged</source>
        <translation>Nhãn dự đoán giữ nguyên</translation>
    </message>
    <message>
        <source>No data in this window</source>
        <translation>Không có dữ liệu trong khoảng thời gian này</translation>
    </message>
    <message>
        <source>hours</source>
        <translation>giờ</translation>
    </message>
    <message>
        <source>No corrections in this window</source>
        <translation>Không có lượt sửa nhãn trong khoảng thời gian này</translation>
    </message>
    <message>
        <source>Rows: the annotator&apos;s label; columns: the reviewer&apos;s</source>
        <translation>Hàng: nhãn của người gán nhãn; cột: nhãn của người duyệt</translation>
    </message>
</context>
<context>
    <name>ExampleThumb</name>
    <message>
        <source>✓ Do</source>
        <translation>✓ Nên làm</translation>
    </message>
    <message>
        <source>✗ Don&apos;t</source>
        <translation>✗ Không nên</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export annotations</source>
        <translation>Xuất chú thích</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Xuất</translation>
    </message>
    <message>
        <source>Write into</source>
        <translation>Ghi vào</translation>
    </message>
    <message>
        <source>Choose the folder to write into</source>
        <translation>Chọn thư mục để ghi vào</translation>
    </message>
    <message>
        <source>A folder (made if it does not exist)</source>
        <translation>Một thư mục (sẽ được tạo nếu chưa có)</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>Thư mục…</translation>
    </message>
    <message>
        <source>Written beside it first and moved in when complete: files of the same name are replaced, the others kept; a failed or cancelled export changes nothing.</source>
        <translation>Được ghi ra bên cạnh trước rồi chuyển vào khi hoàn tất: tệp cùng tên sẽ bị thay, các tệp khác được giữ; xuất lỗi hoặc bị hủy thì không thay đổi gì.</translation>
    </message>
    <message>
        <source>{0}: a file, not a folder</source>
        <translation>{0}: là tệp, không phải thư mục</translation>
    </message>
    <message>
        <source>Choose a folder to export into</source>
        <translation>Chọn thư mục để xuất vào</translation>
    </message>
</context>
<context>
    <name>FormatChooser</name>
    <message>
        <source>Format</source>
        <translation>Định dạng</translation>
    </message>
    <message>
        <source> and </source>
        <translation> và </translation>
    </message>
    <message>
        <source>Holds {0} · command line: --format {1}</source>
        <translation>Chứa {0} · dòng lệnh: --format {1}</translation>
    </message>
</context>
<context>
    <name>GuideForm</name>
    <message>
        <source>What to mark and how; plain text or simple Markdown (*, **, - lists)</source>
        <translation>Gán nhãn gì và gán thế nào; văn bản thường hoặc Markdown đơn giản (*, **, danh sách -)</translation>
    </message>
    <message>
        <source>Add images…</source>
        <translation>Thêm hình ảnh…</translation>
    </message>
    <message>
        <source>Remove image</source>
        <translation>Bỏ hình ảnh</translation>
    </message>
    <message>
        <source>Example images</source>
        <translation>Hình ảnh ví dụ</translation>
    </message>
    <message>
        <source>Images ({0})</source>
        <translation>Hình ảnh ({0})</translation>
    </message>
</context>
<context>
    <name>GuidelinesController</name>
    <message>
        <source>Guidelines</source>
        <translation>Hướng dẫn</translation>
    </message>
    <message>
        <source>This workspace is not from a server: guidelines come with a project cloned from one</source>
        <translation>Không gian làm việc này không lấy từ máy chủ: hướng dẫn đi kèm dự án được sao về từ máy chủ</translation>
    </message>
    <message>
        <source>Saving needs the server; the changes reach everyone&apos;s workspace with their next sync</source>
        <translation>Cần có máy chủ để lưu; thay đổi sẽ đến không gian làm việc của mọi người ở lần đồng bộ tới của họ</translation>
    </message>
    <message>
        <source>Open a workspace first</source>
        <translation>Hãy mở một không gian làm việc trước</translation>
    </message>
    <message>
        <source>Only the schema of a project cloned from a server can be edited here</source>
        <translation>Ở đây chỉ sửa được lược đồ của dự án sao về từ máy chủ</translation>
    </message>
    <message>
        <source>Only a lead or an admin can edit the label schema and the guidelines</source>
        <translation>Chỉ trưởng nhóm hoặc quản trị viên mới được sửa lược đồ nhãn và hướng dẫn</translation>
    </message>
    <message>
        <source>Saving needs the server, and {0} cannot be reached. Nothing was saved: keep this window open and save again when you are online.</source>
        <translation>Cần có máy chủ để lưu, nhưng không kết nối được tới {0}. Chưa có gì được lưu: hãy giữ cửa sổ này mở và lưu lại khi có mạng.</translation>
    </message>
    <message>
        <source> (field {0})</source>
        <translation> (trường {0})</translation>
    </message>
    <message>
        <source>The server refused it{0}: {1}</source>
        <translation>Máy chủ từ chối{0}: {1}</translation>
    </message>
    <message>
        <source>Saving the schema</source>
        <translation>Đang lưu lược đồ</translation>
    </message>
    <message>
        <source>schema version {0}</source>
        <translation>lược đồ phiên bản {0}</translation>
    </message>
    <message>
        <source>guidelines version {0}</source>
        <translation>hướng dẫn phiên bản {0}</translation>
    </message>
    <message>
        <source>Saved on the server: {0}. Syncing to bring it here…</source>
        <translation>Đã lưu trên máy chủ: {0}. Đang đồng bộ để đưa về đây…</translation>
    </message>
</context>
<context>
    <name>GuidelinesPanel</name>
    <message>
        <source>No guidelines for this project yet</source>
        <translation>Dự án này chưa có hướng dẫn</translation>
    </message>
    <message>
        <source>No guideline for this label</source>
        <translation>Nhãn này chưa có hướng dẫn</translation>
    </message>
    <message>
        <source>The whole project</source>
        <translation>Toàn bộ dự án</translation>
    </message>
    <message>
        <source>No general guidelines</source>
        <translation>Chưa có hướng dẫn chung</translation>
    </message>
    <message>
        <source>Version {0}, by {1}</source>
        <translation>Phiên bản {0}, do {1} viết</translation>
    </message>
    <message>
        <source>Image not downloaded yet: it comes with the next sync</source>
        <translation>Hình ảnh chưa được tải về: sẽ có ở lần đồng bộ tới</translation>
    </message>
    <message>
        <source>This example is not an image Annodesk can show</source>
        <translation>Ví dụ này không phải hình ảnh mà Annodesk hiển thị được</translation>
    </message>
</context>
<context>
    <name>ImageCanvas</name>
    <message>
        <source>Preparing {0} ({1:.0f} MP) for display…</source>
        <translation>Đang chuẩn bị hiển thị {0} ({1:.0f} MP)…</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>Import annotations</source>
        <translation>Nhập chú thích</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Nhập</translation>
    </message>
    <message>
        <source>Read from</source>
        <translation>Đọc từ</translation>
    </message>
    <message>
        <source>Choose the file or folder to read</source>
        <translation>Chọn tệp hoặc thư mục để đọc</translation>
    </message>
    <message>
        <source>An annotation file, or the dataset&apos;s folder</source>
        <translation>Một tệp chú thích, hoặc thư mục của bộ dữ liệu</translation>
    </message>
    <message>
        <source>File…</source>
        <translation>Tệp…</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>Thư mục…</translation>
    </message>
    <message>
        <source>Add the images, videos and recordings found beside it as new tasks</source>
        <translation>Thêm hình ảnh, video và bản ghi âm tìm thấy bên cạnh thành tác vụ mới</translation>
    </message>
    <message>
        <source>{0}: no such file or folder</source>
        <translation>{0}: không có tệp hay thư mục này</translation>
    </message>
    <message>
        <source>Choose an annotation file</source>
        <translation>Chọn một tệp chú thích</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>Mọi tệp (*)</translation>
    </message>
    <message>
        <source>Choose the dataset&apos;s folder</source>
        <translation>Chọn thư mục của bộ dữ liệu</translation>
    </message>
</context>
<context>
    <name>KeyCapture</name>
    <message>
        <source>none</source>
        <translation>không có</translation>
    </message>
</context>
<context>
    <name>LabelForm</name>
    <message>
        <source>none</source>
        <translation>không có</translation>
    </message>
    <message>
        <source>None ticked: any shape</source>
        <translation>Không đánh dấu ô nào: mọi loại hình</translation>
    </message>
    <message>
        <source>beside others (multi)</source>
        <translation>cùng với các thẻ khác (nhiều)</translation>
    </message>
    <message>
        <source>one of the single-choice labels (single)</source>
        <translation>một trong các nhãn chọn một (đơn)</translation>
    </message>
    <message>
        <source>Add attribute</source>
        <translation>Thêm thuộc tính</translation>
    </message>
    <message>
        <source>Remove attribute</source>
        <translation>Bỏ thuộc tính</translation>
    </message>
    <message>
        <source>point names in placing order, separated by commas</source>
        <translation>tên các điểm theo thứ tự đặt, cách nhau bằng dấu phẩy</translation>
    </message>
    <message>
        <source>edges as point numbers from 1: 1-2, 2-3</source>
        <translation>các cạnh theo số thứ tự điểm, đếm từ 1: 1-2, 2-3</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>Màu</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Phím</translation>
    </message>
    <message>
        <source>Shapes</source>
        <translation>Hình</translation>
    </message>
    <message>
        <source>As a whole-image tag</source>
        <translation>Khi là thẻ cho cả ảnh</translation>
    </message>
    <message>
        <source>Attributes</source>
        <translation>Thuộc tính</translation>
    </message>
    <message>
        <source>Keypoints</source>
        <translation>Điểm mốc</translation>
    </message>
    <message>
        <source>Skeleton</source>
        <translation>Khung xương</translation>
    </message>
    <message>
        <source>Guideline</source>
        <translation>Hướng dẫn</translation>
    </message>
    <message>
        <source>Label colour</source>
        <translation>Màu nhãn</translation>
    </message>
    <message>
        <source>Label {0}, skeleton: {1} is not two point numbers such as 1-2</source>
        <translation>Nhãn {0}, khung xương: {1} không phải hai số thứ tự điểm như 1-2</translation>
    </message>
</context>
<context>
    <name>LabelPalette</name>
    <message>
        <source>{0} (key {1})</source>
        <translation>{0} (phím {1})</translation>
    </message>
    <message>
        <source>More in the Guidelines dock</source>
        <translation>Xem thêm trong bảng Hướng dẫn</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Labels</source>
        <translation>Nhãn</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Thẻ</translation>
    </message>
    <message>
        <source>Shapes</source>
        <translation>Hình</translation>
    </message>
    <message>
        <source>Attributes</source>
        <translation>Thuộc tính</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>Tác vụ</translation>
    </message>
    <message>
        <source>To try again: File → Open workspace.</source>
        <translation>Để thử lại: Tệp → Mở không gian làm việc.</translation>
    </message>
    <message>
        <source>Task {0} is not in this workspace</source>
        <translation>Tác vụ {0} không có trong không gian làm việc này</translation>
    </message>
    <message>
        <source>This workspace has no tasks yet: add images with File → Add images (Ctrl+I)</source>
        <translation>Không gian làm việc này chưa có tác vụ: thêm hình ảnh bằng Tệp → Thêm hình ảnh (Ctrl+I)</translation>
    </message>
    <message>
        <source>Cannot show {0}: {1}</source>
        <translation>Không thể hiển thị {0}: {1}</translation>
    </message>
    <message>
        <source>No more unfinished tasks</source>
        <translation>Không còn tác vụ chưa xong</translation>
    </message>
    <message>
        <source>No more tasks</source>
        <translation>Không còn tác vụ</translation>
    </message>
    <message>
        <source>{0} marked done</source>
        <translation>Đã đánh dấu {0} là xong</translation>
    </message>
    <message>
        <source>Add a folder of images</source>
        <translation>Thêm một thư mục hình ảnh</translation>
    </message>
    <message>
        <source>Adding images</source>
        <translation>Đang thêm hình ảnh</translation>
    </message>
    <message>
        <source>There is no previous task</source>
        <translation>Không có tác vụ trước</translation>
    </message>
    <message>
        <source>Copied {0} shapes from {1}</source>
        <translation>Đã sao chép {0} hình từ {1}</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Xem</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Tệp</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Sửa</translation>
    </message>
    <message>
        <source>&amp;Task</source>
        <translation>Tác &amp;vụ</translation>
    </message>
    <message>
        <source>V&amp;ideo</source>
        <translation>V&amp;ideo</translation>
    </message>
    <message>
        <source>A&amp;udio</source>
        <translation>Â&amp;m thanh</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Trợ &amp;giúp</translation>
    </message>
    <message>
        <source>&amp;Review</source>
        <translation>&amp;Duyệt</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>Công cụ</translation>
    </message>
    <message>
        <source>The language changes when Annodesk starts again</source>
        <translation>Ngôn ngữ sẽ đổi khi khởi động lại Annodesk</translation>
    </message>
    <message>
        <source>Label {0!r} does not allow this shape type</source>
        <translation>Nhãn {0!r} không cho phép loại hình này</translation>
    </message>
    <message>
        <source>Open an Annodesk workspace</source>
        <translation>Mở một không gian làm việc Annodesk</translation>
    </message>
    <message>
        <source>All changes saved</source>
        <translation>Đã lưu mọi thay đổi</translation>
    </message>
    <message>
        <source>Task {0} / {1}</source>
        <translation>Tác vụ {0} / {1}</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Đang lưu…</translation>
    </message>
    <message>
        <source>Added {0} images, {1} unreadable</source>
        <translation>Đã thêm {0} hình ảnh, {1} không đọc được</translation>
    </message>
</context>
<context>
    <name>PrelabelController</name>
    <message>
        <source>&amp;Model</source>
        <translation>&amp;Mô hình</translation>
    </message>
    <message>
        <source>Predictions</source>
        <translation>Dự đoán</translation>
    </message>
    <message>
        <source>Hide predictions scored below this (they are kept, not deleted)</source>
        <translation>Ẩn các dự đoán có điểm dưới mức này (vẫn được giữ, không bị xóa)</translation>
    </message>
    <message>
        <source>Min score</source>
        <translation>Điểm tối thiểu</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>Chưa có mô hình</translation>
    </message>
    <message>
        <source>Model → Choose model… picks an ONNX model for pre-labelling</source>
        <translation>Mô hình → Chọn mô hình… để chọn một mô hình ONNX cho việc gán nhãn trước</translation>
    </message>
    <message>
        <source>Model: {0}</source>
        <translation>Mô hình: {0}</translation>
    </message>
    <message>
        <source>Loads on the first pre-label (Ctrl+L)</source>
        <translation>Được nạp ở lần gán nhãn trước đầu tiên (Ctrl+L)</translation>
    </message>
    <message>
        <source>Runs on {0}</source>
        <translation>Chạy trên {0}</translation>
    </message>
    <message>
        <source>Cannot pre-label {0}: {1}</source>
        <translation>Không gán nhãn trước được {0}: {1}</translation>
    </message>
    <message>
        <source>Select tasks in the task list first</source>
        <translation>Hãy chọn tác vụ trong danh sách tác vụ trước</translation>
    </message>
    <message>
        <source>A pre-labelling run is in progress</source>
        <translation>Đang có một lượt gán nhãn trước</translation>
    </message>
    <message>
        <source>{0} predictions on {1} ({2})</source>
        <translation>{0} dự đoán trên {1} ({2})</translation>
    </message>
    <message>
        <source>Enter accepts the selected, Shift+Enter all, Delete rejects</source>
        <translation>Enter chấp nhận mục đã chọn, Shift+Enter chấp nhận tất cả, Delete từ chối</translation>
    </message>
    <message>
        <source>Nothing to pre-label</source>
        <translation>Không có gì để gán nhãn trước</translation>
    </message>
    <message>
        <source>Pre-labelling {0}</source>
        <translation>Đang gán nhãn trước {0}</translation>
    </message>
</context>
<context>
    <name>ProgressPanel</name>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>{0}: cancelling…</source>
        <translation>{0}: đang hủy…</translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>&amp;Yes</source>
        <translation>&amp;Có</translation>
    </message>
    <message>
        <source>&amp;No</source>
        <translation>&amp;Không</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Áp dụng</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Bỏ</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Đặt lại</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Mở</translation>
    </message>
</context>
<context>
    <name>QualityController</name>
    <message>
        <source>Consensus and gold are for the leads and admins of a project cloned from a server</source>
        <translation>Đồng thuận và tác vụ chuẩn dành cho trưởng nhóm và quản trị viên của dự án sao về từ máy chủ</translation>
    </message>
    <message>
        <source>Still waiting for the server&apos;s last answer…</source>
        <translation>Vẫn đang chờ phản hồi gần nhất của máy chủ…</translation>
    </message>
    <message>
        <source>{0}…</source>
        <translation>{0}…</translation>
    </message>
    <message>
        <source>The server refused: {0}</source>
        <translation>Máy chủ từ chối: {0}</translation>
    </message>
    <message>
        <source>The server cannot be reached: {0}. Nothing was changed; try again when you are online.</source>
        <translation>Không kết nối được tới máy chủ: {0}. Chưa có gì thay đổi; hãy thử lại khi có mạng.</translation>
    </message>
    <message>
        <source>Reading the settings and the report</source>
        <translation>Đang đọc cài đặt và báo cáo</translation>
    </message>
    <message>
        <source>Up to date: {0} annotators</source>
        <translation>Đã cập nhật: {0} người gán nhãn</translation>
    </message>
    <message>
        <source>Saving the settings</source>
        <translation>Đang lưu cài đặt</translation>
    </message>
    <message>
        <source>Settings saved on the server</source>
        <translation>Đã lưu cài đặt trên máy chủ</translation>
    </message>
    <message>
        <source>Check the annotators who get the consensus tasks</source>
        <translation>Hãy đánh dấu những người gán nhãn sẽ nhận tác vụ đồng thuận</translation>
    </message>
    <message>
        <source>Drawing consensus tasks</source>
        <translation>Đang rút tác vụ đồng thuận</translation>
    </message>
    <message>
        <source>{0} of {1} new tasks drawn for consensus (seed {2}); {3} replicas, {4} per task</source>
        <translation>Đã rút {0}/{1} tác vụ mới cho đồng thuận (hạt giống {2}); {3} bản sao, {4} người mỗi tác vụ</translation>
    </message>
    <message>
        <source>Select tasks of the server in the task list first</source>
        <translation>Hãy chọn các tác vụ của máy chủ trong danh sách tác vụ trước</translation>
    </message>
    <message>
        <source>Open a task of the server first</source>
        <translation>Hãy mở một tác vụ của máy chủ trước</translation>
    </message>
    <message>
        <source>Marking {0} tasks as gold</source>
        <translation>Đang đánh dấu {0} tác vụ là tác vụ chuẩn</translation>
    </message>
    <message>
        <source>Task {0} is gold: answer version {1}, {2} shapes</source>
        <translation>Tác vụ {0} là tác vụ chuẩn: đáp án phiên bản {1}, {2} hình</translation>
    </message>
    <message>
        <source>{0} tasks are gold: {1}</source>
        <translation>{0} tác vụ là tác vụ chuẩn: {1}</translation>
    </message>
    <message>
        <source>Check the annotators who get gold replicas</source>
        <translation>Hãy đánh dấu những người gán nhãn sẽ nhận bản sao chuẩn</translation>
    </message>
    <message>
        <source>Mixing gold</source>
        <translation>Đang trộn tác vụ chuẩn</translation>
    </message>
    <message>
        <source>{0} gold replicas mixed at {1:g} per real task (seed {2})</source>
        <translation>Đã trộn {0} bản sao chuẩn với tỷ lệ {1:g} mỗi tác vụ thật (hạt giống {2})</translation>
    </message>
    <message>
        <source>; {0} short: not enough gold tasks new to them</source>
        <translation>; thiếu {0}: không đủ tác vụ chuẩn mà họ chưa làm</translation>
    </message>
</context>
<context>
    <name>QualityDialog</name>
    <message>
        <source>Consensus and gold</source>
        <translation>Đồng thuận và tác vụ chuẩn</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>Consensus</source>
        <translation>Đồng thuận</translation>
    </message>
    <message>
        <source>Gold</source>
        <translation>Tác vụ chuẩn</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>Kết quả</translation>
    </message>
    <message>
        <source>Consensus tasks</source>
        <translation>Tác vụ đồng thuận</translation>
    </message>
    <message>
        <source>Share of new tasks drawn</source>
        <translation>Tỷ lệ tác vụ mới được rút</translation>
    </message>
    <message>
        <source>Annotators per task</source>
        <translation>Số người gán nhãn mỗi tác vụ</translation>
    </message>
    <message>
        <source>Quorum (annotators who keep a shape)</source>
        <translation>Túc số (số người gán nhãn cần có để giữ một hình)</translation>
    </message>
    <message>
        <source>Least agreement (below: to a lead)</source>
        <translation>Mức nhất trí tối thiểu (thấp hơn: chuyển trưởng nhóm)</translation>
    </message>
    <message>
        <source>Objects match at IoU</source>
        <translation>Đối tượng khớp khi IoU đạt</translation>
    </message>
    <message>
        <source>Gold tasks</source>
        <translation>Tác vụ chuẩn</translation>
    </message>
    <message>
        <source>Gold replicas per real task</source>
        <translation>Số bản sao chuẩn mỗi tác vụ thật</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>Tải lại</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>the project&apos;s setting</source>
        <translation>theo cài đặt của dự án</translation>
    </message>
    <message>
        <source>a fresh random seed</source>
        <translation>một hạt giống ngẫu nhiên mới</translation>
    </message>
    <message>
        <source>Share of new tasks</source>
        <translation>Tỷ lệ tác vụ mới</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Hạt giống</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Bắt đầu</translation>
    </message>
    <message>
        <source>Each drawn task goes to the annotators per task of the settings, chosen among these:</source>
        <translation>Mỗi tác vụ được rút sẽ giao cho số người gán nhãn mỗi tác vụ theo cài đặt, chọn trong số những người sau:</translation>
    </message>
    <message>
        <source>Mark the current task as gold</source>
        <translation>Đánh dấu tác vụ hiện tại là tác vụ chuẩn</translation>
    </message>
    <message>
        <source>An accepted task: its answer becomes the known answer</source>
        <translation>Một tác vụ đã được chấp nhận: câu trả lời của nó trở thành đáp án chuẩn</translation>
    </message>
    <message>
        <source>Mark the selected tasks as gold</source>
        <translation>Đánh dấu các tác vụ đã chọn là tác vụ chuẩn</translation>
    </message>
    <message>
        <source>The tasks selected in the task list (Shift/Ctrl+click)</source>
        <translation>Các tác vụ đã chọn trong danh sách tác vụ (Shift/Ctrl+bấm)</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Tác vụ</translation>
    </message>
    <message>
        <source>Answer version</source>
        <translation>Phiên bản đáp án</translation>
    </message>
    <message>
        <source>Shapes</source>
        <translation>Hình</translation>
    </message>
    <message>
        <source>Replicas</source>
        <translation>Bản sao</translation>
    </message>
    <message>
        <source>Scored</source>
        <translation>Đã chấm điểm</translation>
    </message>
    <message>
        <source>Also assign new tasks to each</source>
        <translation>Giao thêm cho mỗi người số tác vụ mới</translation>
    </message>
    <message>
        <source>Mix gold into their queues</source>
        <translation>Trộn tác vụ chuẩn vào hàng đợi của họ</translation>
    </message>
    <message>
        <source>Annotators who get gold replicas, unannounced:</source>
        <translation>Người gán nhãn nhận bản sao chuẩn (không báo trước):</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>Xuất CSV…</translation>
    </message>
    <message>
        <source>Export the quality report</source>
        <translation>Xuất báo cáo chất lượng</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Tệp CSV (*.csv)</translation>
    </message>
    <message>
        <source>Could not write {0}: {1}</source>
        <translation>Không ghi được {0}: {1}</translation>
    </message>
    <message>
        <source>Saved {0}</source>
        <translation>Đã lưu {0}</translation>
    </message>
</context>
<context>
    <name>ReviewController</name>
    <message>
        <source>Review</source>
        <translation>Duyệt</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Trả lời</translation>
    </message>
    <message>
        <source>Reply to {0}: “{1}”</source>
        <translation>Trả lời {0}: “{1}”</translation>
    </message>
    <message>
        <source>Only a task from a server can have comments</source>
        <translation>Chỉ tác vụ từ máy chủ mới có bình luận</translation>
    </message>
    <message>
        <source>Review · Rejected</source>
        <translation>Duyệt · Bị từ chối</translation>
    </message>
    <message>
        <source>That annotation is no longer on this task</source>
        <translation>Chú thích đó không còn trên tác vụ này</translation>
    </message>
</context>
<context>
    <name>ReviewPanel</name>
    <message>
        <source>Rejected</source>
        <translation>Đã từ chối</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Đã chấp nhận</translation>
    </message>
    <message>
        <source>Not reviewed</source>
        <translation>Chưa duyệt</translation>
    </message>
    <message>
        <source>on a shape</source>
        <translation>trên một hình</translation>
    </message>
    <message>
        <source>area {0:.0f} × {1:.0f} at {2:.0f}, {3:.0f}</source>
        <translation>vùng {0:.0f} × {1:.0f} tại {2:.0f}, {3:.0f}</translation>
    </message>
    <message>
        <source>at {0:.0f}, {1:.0f}</source>
        <translation>tại {0:.0f}, {1:.0f}</translation>
    </message>
    <message>
        <source>frame {0}</source>
        <translation>khung {0}</translation>
    </message>
    <message>
        <source>frames {0}–{1}</source>
        <translation>khung {0}–{1}</translation>
    </message>
    <message>
        <source>at {0:.2f} s</source>
        <translation>tại {0:.2f} giây</translation>
    </message>
    <message>
        <source>{0:.2f}–{1:.2f} s</source>
        <translation>{0:.2f}–{1:.2f} giây</translation>
    </message>
    <message>
        <source>not sent yet</source>
        <translation>chưa gửi</translation>
    </message>
    <message>
        <source>resolved by {0}</source>
        <translation>{0} đã giải quyết</translation>
    </message>
    <message>
        <source>resolved</source>
        <translation>đã giải quyết</translation>
    </message>
    <message>
        <source>accepted by {0}</source>
        <translation>được chấp nhận bởi {0}</translation>
    </message>
    <message>
        <source>rejected by {0}</source>
        <translation>bị từ chối bởi {0}</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>đang chờ</translation>
    </message>
    <message>
        <source>by {0} · {1}</source>
        <translation>bởi {0} · {1}</translation>
    </message>
    <message>
        <source>after fixes, {0}</source>
        <translation>sau khi sửa, {0}</translation>
    </message>
    <message>
        <source>waiting to sync</source>
        <translation>chờ đồng bộ</translation>
    </message>
    <message>
        <source>refused by the server: {0}</source>
        <translation>máy chủ từ chối: {0}</translation>
    </message>
    <message>
        <source>Review decision</source>
        <translation>Quyết định duyệt</translation>
    </message>
    <message>
        <source>Show comment &amp;pins on the image</source>
        <translation>Hiện &amp;ghim bình luận trên ảnh</translation>
    </message>
    <message>
        <source>&amp;Hide resolved threads</source>
        <translation>&amp;Ẩn chuỗi đã giải quyết</translation>
    </message>
    <message>
        <source>&amp;Comment…</source>
        <translation>&amp;Bình luận…</translation>
    </message>
    <message>
        <source>A new thread, pinned to the selected shape, else where the pointer is (on a video: this frame; on a recording: the selection)</source>
        <translation>Một chuỗi mới, ghim vào hình đang chọn, nếu không thì tại vị trí con trỏ (trên video: khung này; trên bản ghi âm: đoạn đang chọn)</translation>
    </message>
    <message>
        <source>Re&amp;ply…</source>
        <translation>Trả &amp;lời…</translation>
    </message>
    <message>
        <source>Re&amp;solve</source>
        <translation>&amp;Giải quyết</translation>
    </message>
    <message>
        <source>Review comments and refused edits</source>
        <translation>Bình luận duyệt và chỉnh sửa bị từ chối</translation>
    </message>
    <message>
        <source>Comments</source>
        <translation>Bình luận</translation>
    </message>
    <message>
        <source>Your refused edits</source>
        <translation>Chỉnh sửa của bạn bị từ chối</translation>
    </message>
    <message>
        <source>{0}: yours {1} → kept {2}</source>
        <translation>{0}: của bạn {1} → giữ {2}</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>Xung đột</translation>
    </message>
    <message>
        <source>{0}: {1} lost to {2}</source>
        <translation>{0}: {1} thua {2}</translation>
    </message>
    <message>
        <source>This workspace is not synced with a server, so it has no reviews.</source>
        <translation>Không gian làm việc này không đồng bộ với máy chủ nên không có lượt duyệt.</translation>
    </message>
    <message>
        <source>No comments, refused edits or conflicts on this task.</source>
        <translation>Tác vụ này không có bình luận, chỉnh sửa bị từ chối hay xung đột.</translation>
    </message>
    <message>
        <source>Re&amp;open</source>
        <translation>&amp;Mở lại</translation>
    </message>
</context>
<context>
    <name>ReviewQueueController</name>
    <message>
        <source>Wrong label</source>
        <translation>Sai nhãn</translation>
    </message>
    <message>
        <source>Missing objects</source>
        <translation>Thiếu đối tượng</translation>
    </message>
    <message>
        <source>Extra objects</source>
        <translation>Thừa đối tượng</translation>
    </message>
    <message>
        <source>Inaccurate outlines</source>
        <translation>Đường viền không chính xác</translation>
    </message>
    <message>
        <source>Wrong attributes</source>
        <translation>Sai thuộc tính</translation>
    </message>
    <message>
        <source>Wrong transcription</source>
        <translation>Sai phiên âm</translation>
    </message>
    <message>
        <source>Review queue</source>
        <translation>Hàng đợi duyệt</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>Từ chối</translation>
    </message>
    <message>
        <source>Why is it rejected? The annotator sees this.</source>
        <translation>Vì sao từ chối? Người gán nhãn sẽ thấy lý do này.</translation>
    </message>
    <message>
        <source>Accepted after fixes</source>
        <translation>Chấp nhận sau khi sửa</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Đã chấp nhận</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Đã từ chối</translation>
    </message>
    <message>
        <source>{0}: {1} (sent with the next sync)</source>
        <translation>{0}: {1} (gửi ở lần đồng bộ tới)</translation>
    </message>
    <message>
        <source>{0}: {1}. The queue is empty.</source>
        <translation>{0}: {1}. Hàng đợi đã hết.</translation>
    </message>
    <message>
        <source>Only a lead or an admin can accept or reject work</source>
        <translation>Chỉ trưởng nhóm hoặc quản trị viên mới được chấp nhận hay từ chối</translation>
    </message>
    <message>
        <source>This task is not from a server, so it cannot be reviewed</source>
        <translation>Tác vụ này không từ máy chủ nên không duyệt được</translation>
    </message>
    <message>
        <source>Only submitted work waiting for review can be accepted or rejected</source>
        <translation>Chỉ bài đã nộp đang chờ duyệt mới chấp nhận hay từ chối được</translation>
    </message>
    <message>
        <source>No more tasks in the review queue</source>
        <translation>Hết tác vụ trong hàng đợi duyệt</translation>
    </message>
</context>
<context>
    <name>ReviewQueuePanel</name>
    <message>
        <source>Any time</source>
        <translation>Mọi lúc</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>24 giờ qua</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>7 ngày qua</translation>
    </message>
    <message>
        <source>The review stage the tasks wait at (only the stages you may decide at)</source>
        <translation>Giai đoạn duyệt mà tác vụ đang chờ (chỉ các giai đoạn bạn được quyết định)</translation>
    </message>
    <message>
        <source>Only the &amp;samples of closed lots</source>
        <translation>Chỉ &amp;mẫu của các lô đã đóng</translation>
    </message>
    <message>
        <source>Off: every submitted task, also those outside a lot&apos;s sample</source>
        <translation>Tắt: mọi tác vụ đã nộp, cả những tác vụ ngoài mẫu của lô</translation>
    </message>
    <message>
        <source>Annotator</source>
        <translation>Người gán nhãn</translation>
    </message>
    <message>
        <source>Lot</source>
        <translation>Lô</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Nhãn</translation>
    </message>
    <message>
        <source>Submitted</source>
        <translation>Đã nộp</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>Giai đoạn</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Tác vụ</translation>
    </message>
    <message>
        <source>Tasks waiting for review</source>
        <translation>Tác vụ chờ duyệt</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tất cả</translation>
    </message>
    <message>
        <source>consensus: agreement {0:.2f}</source>
        <translation>đồng thuận: mức nhất trí {0:.2f}</translation>
    </message>
    <message>
        <source>{0} tasks waiting</source>
        <translation>{0} tác vụ đang chờ</translation>
    </message>
    <message>
        <source>Nothing waiting for review with these filters.</source>
        <translation>Không có gì chờ duyệt với các bộ lọc này.</translation>
    </message>
    <message>
        <source>Lot {0}: {1} tasks</source>
        <translation>Lô {0}: {1} tác vụ</translation>
    </message>
    <message>
        <source>, code letter {0}</source>
        <translation>, mã chữ {0}</translation>
    </message>
    <message>
        <source>normal inspection</source>
        <translation>kiểm tra thường</translation>
    </message>
    <message>
        <source>tightened inspection</source>
        <translation>kiểm tra chặt</translation>
    </message>
    <message>
        <source>reduced inspection</source>
        <translation>kiểm tra giảm</translation>
    </message>
    <message>
        <source>Open: the sample is drawn when the lot closes.</source>
        <translation>Đang mở: mẫu được rút khi lô đóng.</translation>
    </message>
    <message>
        <source>Accepted: {0} defects in {1} reviewed.</source>
        <translation>Đã chấp nhận: {0} lỗi trong {1} đã duyệt.</translation>
    </message>
    <message>
        <source>Rejected: {0} defects in {1} reviewed.</source>
        <translation>Đã từ chối: {0} lỗi trong {1} đã duyệt.</translation>
    </message>
    <message>
        <source>Every task is reviewed (100 % inspection): {0} done.</source>
        <translation>Duyệt mọi tác vụ (kiểm tra 100 %): đã xong {0}.</translation>
    </message>
    <message>
        <source>Sample {0} of {1} reviewed, {2} defects; accept with {3} or fewer, reject with {4} or more.</source>
        <translation>Đã duyệt {0}/{1} mẫu, {2} lỗi; chấp nhận khi có {3} lỗi trở xuống, từ chối khi có {4} lỗi trở lên.</translation>
    </message>
    <message>
        <source>({0} decided here, not synced yet)</source>
        <translation>({0} quyết định ở đây, chưa đồng bộ)</translation>
    </message>
</context>
<context>
    <name>SchemaEditor</name>
    <message>
        <source>Label schema and guidelines</source>
        <translation>Lược đồ nhãn và hướng dẫn</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>Nhãn</translation>
    </message>
    <message>
        <source>Audio tiers</source>
        <translation>Tầng âm thanh</translation>
    </message>
    <message>
        <source>Guidelines</source>
        <translation>Hướng dẫn</translation>
    </message>
    <message>
        <source>Save to the server</source>
        <translation>Lưu lên máy chủ</translation>
    </message>
    <message>
        <source>Add label</source>
        <translation>Thêm nhãn</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Bỏ</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>Lên</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>Xuống</translation>
    </message>
    <message>
        <source>Add tier</source>
        <translation>Thêm tầng</translation>
    </message>
    <message>
        <source>Remove tier</source>
        <translation>Bỏ tầng</translation>
    </message>
    <message>
        <source>Layers of segments on recordings (speaker, words, events…), in order</source>
        <translation>Các lớp phân đoạn trên bản ghi âm (người nói, từ, sự kiện…), theo thứ tự</translation>
    </message>
    <message>
        <source>The guidelines of the whole project (each label&apos;s are on its page)</source>
        <translation>Hướng dẫn cho toàn bộ dự án (hướng dẫn của từng nhãn nằm ở trang của nhãn đó)</translation>
    </message>
    <message>
        <source>label {0}</source>
        <translation>nhãn {0}</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(chưa có tên)</translation>
    </message>
    <message>
        <source>name</source>
        <translation>tên</translation>
    </message>
    <message>
        <source>attribute name</source>
        <translation>tên thuộc tính</translation>
    </message>
    <message>
        <source>keypoint name</source>
        <translation>tên điểm mốc</translation>
    </message>
    <message>
        <source>Label #{0}: {1} {2}: {3}</source>
        <translation>Nhãn #{0}: {1} {2}: {3}</translation>
    </message>
    <message>
        <source>Guidelines: {0}</source>
        <translation>Hướng dẫn: {0}</translation>
    </message>
    <message>
        <source>Label {0} ({1})</source>
        <translation>Nhãn {0} ({1})</translation>
    </message>
    <message>
        <source>Label #{0}: {1}</source>
        <translation>Nhãn #{0}: {1}</translation>
    </message>
    <message>
        <source>Audio tiers: {0}</source>
        <translation>Tầng âm thanh: {0}</translation>
    </message>
    <message>
        <source>Nothing has changed</source>
        <translation>Chưa có gì thay đổi</translation>
    </message>
    <message>
        <source>Saving to the server…</source>
        <translation>Đang lưu lên máy chủ…</translation>
    </message>
    <message>
        <source>{0}: {1} is not a number</source>
        <translation>{0}: {1} không phải là số</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Kiểu</translation>
    </message>
    <message>
        <source>Values</source>
        <translation>Giá trị</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Mặc định</translation>
    </message>
    <message>
        <source>Min</source>
        <translation>Nhỏ nhất</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>Lớn nhất</translation>
    </message>
    <message>
        <source>Per frame</source>
        <translation>Theo khung hình</translation>
    </message>
    <message>
        <source>The choices of a select, separated by commas</source>
        <translation>Các lựa chọn của kiểu chọn, cách nhau bằng dấu phẩy</translation>
    </message>
    <message>
        <source>On a video track: may change from keyframe to keyframe</source>
        <translation>Trên một track video: có thể đổi từ khung hình khóa này sang khung hình khóa khác</translation>
    </message>
    <message>
        <source>Label {0}, attribute {1}</source>
        <translation>Nhãn {0}, thuộc tính {1}</translation>
    </message>
    <message>
        <source>{0}: values are the choices of a select; a {1} has none</source>
        <translation>{0}: giá trị là các lựa chọn của kiểu chọn; kiểu {1} không có</translation>
    </message>
    <message>
        <source>{0}: only a number has a min and a max</source>
        <translation>{0}: chỉ kiểu số mới có giá trị nhỏ nhất và lớn nhất</translation>
    </message>
    <message>
        <source>{0}: the default of a checkbox is true or false, not {1}</source>
        <translation>{0}: mặc định của ô đánh dấu là true hoặc false, không phải {1}</translation>
    </message>
    <message>
        <source>Overlap</source>
        <translation>Chồng lấn</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Điểm</translation>
    </message>
    <message>
        <source>Label names separated by commas; empty: any label</source>
        <translation>Tên nhãn cách nhau bằng dấu phẩy; để trống: mọi nhãn</translation>
    </message>
    <message>
        <source>Segments of this tier may share time (overlapping speech)</source>
        <translation>Các phân đoạn của tầng này có thể trùng thời gian (lời nói chồng lên nhau)</translation>
    </message>
    <message>
        <source>Instants, not segments (a TextGrid point tier)</source>
        <translation>Các thời điểm, không phải phân đoạn (tầng điểm của TextGrid)</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Hình ảnh</translation>
    </message>
    <message>
        <source>Caption</source>
        <translation>Chú thích</translation>
    </message>
    <message>
        <source>Do</source>
        <translation>Nên làm</translation>
    </message>
    <message>
        <source>Ticked: do it like this (green); not ticked: don&apos;t (red)</source>
        <translation>Đánh dấu: nên làm như thế này (xanh lá); không đánh dấu: không nên (đỏ)</translation>
    </message>
</context>
<context>
    <name>SegmentController</name>
    <message>
        <source>Segment: choose a model first (Model → Choose segmentation model…)</source>
        <translation>Phân vùng: hãy chọn mô hình trước (Mô hình → Chọn mô hình phân vùng…)</translation>
    </message>
</context>
<context>
    <name>ShortcutsEditor</name>
    <message>
        <source>Select an action, click a key field and press the combination. Backspace or Delete clears the field (pressed in an empty field, it is the key); Esc puts back what the field had.</source>
        <translation>Chọn một thao tác, bấm vào ô phím rồi nhấn tổ hợp phím. Backspace hoặc Delete xóa ô (nhấn trong ô trống thì chính nó là phím); Esc trả lại nội dung cũ của ô.</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Thao tác</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Phím</translation>
    </message>
    <message>
        <source>Scope</source>
        <translation>Phạm vi</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Nguồn</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Phím tắt</translation>
    </message>
    <message>
        <source>Filter: an action, a key or a scope</source>
        <translation>Lọc: thao tác, phím hoặc phạm vi</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Đặt lại</translation>
    </message>
    <message>
        <source>Reset all</source>
        <translation>Đặt lại tất cả</translation>
    </message>
    <message>
        <source>Keys like:</source>
        <translation>Phím theo kiểu:</translation>
    </message>
    <message>
        <source>Key:</source>
        <translation>Phím:</translation>
    </message>
    <message>
        <source>Second key:</source>
        <translation>Phím thứ hai:</translation>
    </message>
    <message>
        <source>Give one of them another key to save.</source>
        <translation>Hãy gán phím khác cho một trong số đó để lưu.</translation>
    </message>
</context>
<context>
    <name>SummaryDialog</name>
    <message>
        <source>{0} messages: what was skipped, changed or left out, and why</source>
        <translation>{0} thông báo: những gì bị bỏ qua, thay đổi hoặc bỏ sót, và lý do</translation>
    </message>
    <message>
        <source>Nothing was skipped.</source>
        <translation>Không có gì bị bỏ qua.</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Sao chép</translation>
    </message>
</context>
<context>
    <name>SyncDetails</name>
    <message>
        <source>Sync details</source>
        <translation>Chi tiết đồng bộ</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Máy chủ</translation>
    </message>
    <message>
        <source>Signed in as</source>
        <translation>Đăng nhập với tên</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>Dự án</translation>
    </message>
    <message>
        <source>Edits waiting</source>
        <translation>Chỉnh sửa đang chờ</translation>
    </message>
    <message>
        <source>Edits not kept</source>
        <translation>Chỉnh sửa không được giữ</translation>
    </message>
    <message>
        <source>Last good sync</source>
        <translation>Lần đồng bộ thành công gần nhất</translation>
    </message>
    <message>
        <source>{0}:</source>
        <translation>{0}:</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Đồng bộ ngay</translation>
    </message>
    <message>
        <source>Sign in again…</source>
        <translation>Đăng nhập lại…</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Đang đồng bộ…</translation>
    </message>
    <message>
        <source>&lt;b&gt;What happened:&lt;/b&gt; {0}</source>
        <translation>&lt;b&gt;Chuyện gì đã xảy ra:&lt;/b&gt; {0}</translation>
    </message>
    <message>
        <source>&lt;b&gt;What to do:&lt;/b&gt; {0}</source>
        <translation>&lt;b&gt;Cần làm gì:&lt;/b&gt; {0}</translation>
    </message>
</context>
<context>
    <name>SyncStatus</name>
    <message>
        <source>This workspace is not synced: File → Connect to a server… makes one that is</source>
        <translation>Không gian làm việc này không được đồng bộ: Tệp → Kết nối máy chủ… tạo một không gian có đồng bộ</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Đang đồng bộ…</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Đồng bộ</translation>
    </message>
    <message>
        <source>Sync error: {0}</source>
        <translation>Lỗi đồng bộ: {0}</translation>
    </message>
    <message>
        <source>Click to sync now; File → Sync details… says more</source>
        <translation>Bấm để đồng bộ ngay; Tệp → Chi tiết đồng bộ… cho biết thêm</translation>
    </message>
    <message>
        <source>Syncing… · downloading {0} / {1} files</source>
        <translation>Đang đồng bộ… · đang tải {0} / {1} tệp</translation>
    </message>
</context>
<context>
    <name>TransferController</name>
    <message>
        <source>Import annotations…</source>
        <translation>Nhập chú thích…</translation>
    </message>
    <message>
        <source>Export annotations…</source>
        <translation>Xuất chú thích…</translation>
    </message>
    <message>
        <source>Importing {0}</source>
        <translation>Đang nhập {0}</translation>
    </message>
    <message>
        <source>Import cancelled: the workspace is as it was</source>
        <translation>Đã hủy nhập: không gian làm việc vẫn như cũ</translation>
    </message>
    <message>
        <source>Import annotations</source>
        <translation>Nhập chú thích</translation>
    </message>
    <message>
        <source>Exporting {0}</source>
        <translation>Đang xuất {0}</translation>
    </message>
    <message>
        <source>Export cancelled: nothing was written</source>
        <translation>Đã hủy xuất: không có gì được ghi</translation>
    </message>
    <message>
        <source>saved {0} files to {1} ({2})</source>
        <translation>đã lưu {0} tệp vào {1} ({2})</translation>
    </message>
    <message>
        <source>Export annotations</source>
        <translation>Xuất chú thích</translation>
    </message>
    <message>
        <source>Open a workspace first (File → Open workspace)</source>
        <translation>Hãy mở một không gian làm việc trước (Tệp → Mở không gian làm việc)</translation>
    </message>
    <message>
        <source>Another background job is running: wait for it, or cancel it</source>
        <translation>Một công việc nền khác đang chạy: hãy chờ hoặc hủy nó</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <source>images</source>
        <translation>hình ảnh</translation>
    </message>
    <message>
        <source>videos</source>
        <translation>video</translation>
    </message>
    <message>
        <source>recordings</source>
        <translation>bản ghi âm</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Loại tác vụ</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>Khung hình</translation>
    </message>
</context>
<context>
    <name>VideoController</name>
    <message>
        <source>◆ keyframe</source>
        <translation>◆ khung hình khóa</translation>
    </message>
    <message>
        <source>◇ interpolated</source>
        <translation>◇ nội suy</translation>
    </message>
    <message>
        <source>outside</source>
        <translation>ngoài khung</translation>
    </message>
    <message>
        <source>No keyframe that way</source>
        <translation>Không có khung hình khóa theo hướng đó</translation>
    </message>
</context>
<context>
    <name>VideoControls</name>
    <message>
        <source>Play / pause (Space)</source>
        <translation>Phát / tạm dừng (Space)</translation>
    </message>
    <message>
        <source>Frame number: type one and press Enter (G)</source>
        <translation>Số khung hình: gõ số rồi nhấn Enter (G)</translation>
    </message>
    <message>
        <source>Speed ([ and ])</source>
        <translation>Tốc độ ([ và ])</translation>
    </message>
    <message>
        <source>One-frame shapes</source>
        <translation>Hình một khung</translation>
    </message>
    <message>
        <source>Off: a drawn shape starts a track with a keyframe here; on: it is on this frame only (Shift+N)</source>
        <translation>Tắt: hình vừa vẽ bắt đầu một track với khung hình khóa tại đây; bật: hình chỉ có ở khung hình này (Shift+N)</translation>
    </message>
    <message>
        <source>Frame</source>
        <translation>Khung hình</translation>
    </message>
</context>
<context>
    <name>WelcomeController</name>
    <message>
        <source>Adding media</source>
        <translation>Đang thêm dữ liệu</translation>
    </message>
    <message>
        <source>Adding media: {0} / {1} files</source>
        <translation>Đang thêm dữ liệu: {0} / {1} tệp</translation>
    </message>
    <message>
        <source>Making a workspace in {0} from the media in {1}…</source>
        <translation>Đang tạo không gian làm việc trong {0} từ dữ liệu trong {1}…</translation>
    </message>
    <message>
        <source>Making the demo</source>
        <translation>Đang tạo bản demo</translation>
    </message>
    <message>
        <source>Making the demo workspace in {0}…</source>
        <translation>Đang tạo không gian làm việc demo trong {0}…</translation>
    </message>
    <message>
        <source>Cancelled: no workspace was made.</source>
        <translation>Đã hủy: chưa tạo không gian làm việc nào.</translation>
    </message>
    <message>
        <source>Made {0}: {1} tasks, {2} of them unreadable</source>
        <translation>Đã tạo {0}: {1} tác vụ, trong đó {2} không đọc được</translation>
    </message>
    <message>
        <source>Open an Annodesk workspace</source>
        <translation>Mở một không gian làm việc Annodesk</translation>
    </message>
    <message>
        <source>Choose a folder of images, videos or recordings</source>
        <translation>Chọn một thư mục hình ảnh, video hoặc bản ghi âm</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>Welcome to Annodesk</source>
        <translation>Chào mừng bạn đến với Annodesk</translation>
    </message>
    <message>
        <source>Annotate images, videos and recordings. Every edit is saved as you make it, and works offline.</source>
        <translation>Gán nhãn hình ảnh, video và bản ghi âm. Mọi chỉnh sửa được lưu ngay khi bạn thực hiện, và dùng được cả khi ngoại tuyến.</translation>
    </message>
    <message>
        <source>&amp;Connect to a server…</source>
        <translation>&amp;Kết nối máy chủ…</translation>
    </message>
    <message>
        <source>Sign in with the account your team lead gave you and download a project&apos;s tasks</source>
        <translation>Đăng nhập bằng tài khoản trưởng nhóm đã cấp cho bạn và tải về các tác vụ của một dự án</translation>
    </message>
    <message>
        <source>&amp;Open a workspace…</source>
        <translation>&amp;Mở không gian làm việc…</translation>
    </message>
    <message>
        <source>A folder Annodesk made on this computer</source>
        <translation>Một thư mục do Annodesk tạo trên máy này</translation>
    </message>
    <message>
        <source>&amp;New workspace from a folder of media…</source>
        <translation>&amp;Tạo không gian làm việc từ một thư mục dữ liệu…</translation>
    </message>
    <message>
        <source>Each image, video or recording in the folder becomes a task</source>
        <translation>Mỗi hình ảnh, video hoặc bản ghi âm trong thư mục sẽ thành một tác vụ</translation>
    </message>
    <message>
        <source>Open the &amp;demo</source>
        <translation>Mở bản &amp;demo</translation>
    </message>
    <message>
        <source>Street scenes, a video and a recording with labels, to try things out</source>
        <translation>Cảnh đường phố, một video và một bản ghi âm có sẵn nhãn, để dùng thử</translation>
    </message>
    <message>
        <source>&amp;Recent workspaces</source>
        <translation>Không gian làm việc &amp;gần đây</translation>
    </message>
    <message>
        <source>Recent workspaces</source>
        <translation>Không gian làm việc gần đây</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Đang hủy…</translation>
    </message>
</context>
<context>
    <name>WorkspaceWriter</name>
    <message>
        <source>Could not save the last edit: {0}</source>
        <translation>Không lưu được chỉnh sửa gần nhất: {0}</translation>
    </message>
</context>
<context>
    <name>_TransferDialog</name>
    <message>
        <source>All tasks</source>
        <translation>Mọi tác vụ</translation>
    </message>
    <message>
        <source>The selected tasks ({0})</source>
        <translation>Các tác vụ đã chọn ({0})</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>Tác vụ</translation>
    </message>
</context>
<context>
    <name>attribute_editor</name>
    <message>
        <source>human</source>
        <translation>người</translation>
    </message>
    <message>
        <source>model {0}</source>
        <translation>mô hình {0}</translation>
    </message>
</context>
<context>
    <name>connect</name>
    <message>
        <source>Cannot reach {0}: check the address and this computer&apos;s network connection.</source>
        <translation>Không kết nối được {0}: hãy kiểm tra địa chỉ và kết nối mạng của máy này.</translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation>Sai tên người dùng hoặc mật khẩu.</translation>
    </message>
    <message>
        <source>Too many failed sign-ins: {0}.</source>
        <translation>Đăng nhập sai quá nhiều lần: {0}.</translation>
    </message>
    <message>
        <source>The server refused: {0} ({1}).</source>
        <translation>Máy chủ từ chối: {0} ({1}).</translation>
    </message>
    <message>
        <source>This computer&apos;s Annodesk secrets could not be used: {0}</source>
        <translation>Không dùng được khóa bí mật Annodesk của máy này: {0}</translation>
    </message>
</context>
<context>
    <name>formats</name>
    <message>
        <source>unknown format {name!r}; known formats: {known}</source>
        <translation>định dạng không xác định {name!r}; các định dạng đã biết: {known}</translation>
    </message>
    <message>
        <source>{kind} has coordinates that are not finite numbers; skipped</source>
        <translation>{kind} có tọa độ không phải số hữu hạn; bỏ qua</translation>
    </message>
    <message>
        <source>box {box} has no area; skipped</source>
        <translation>hộp {box} không có diện tích; bỏ qua</translation>
    </message>
    <message>
        <source>box {box} lies outside the {size} image; skipped</source>
        <translation>hộp {box} nằm ngoài hình ảnh {size}; bỏ qua</translation>
    </message>
    <message>
        <source>box {box} reaches outside the {size} image; clipped</source>
        <translation>hộp {box} vượt ra ngoài hình ảnh {size}; đã cắt theo biên</translation>
    </message>
    <message>
        <source>degenerate polygon ({distinct} distinct vertices, area {area:g}); skipped</source>
        <translation>đa giác suy biến ({distinct} đỉnh phân biệt, diện tích {area:g}); bỏ qua</translation>
    </message>
    <message>
        <source>polygon crosses itself; kept as drawn</source>
        <translation>đa giác tự cắt nhau; giữ nguyên như đã vẽ</translation>
    </message>
    <message>
        <source>polygon has no area inside the {size} image; skipped</source>
        <translation>đa giác không có diện tích bên trong hình ảnh {size}; bỏ qua</translation>
    </message>
    <message>
        <source>polygon reaches outside the {size} image; clipped</source>
        <translation>đa giác vượt ra ngoài hình ảnh {size}; đã cắt theo biên</translation>
    </message>
    <message>
        <source>degenerate polyline (fewer than 2 distinct points); skipped</source>
        <translation>đường gấp khúc suy biến (ít hơn 2 điểm phân biệt); bỏ qua</translation>
    </message>
    <message>
        <source>polyline lies outside the {size} image; skipped</source>
        <translation>đường gấp khúc nằm ngoài hình ảnh {size}; bỏ qua</translation>
    </message>
    <message>
        <source>polyline reaches outside the {size} image; clipped</source>
        <translation>đường gấp khúc vượt ra ngoài hình ảnh {size}; đã cắt theo biên</translation>
    </message>
    <message>
        <source>point ({x:g}, {y:g}) lies outside the {size} image; skipped</source>
        <translation>điểm ({x:g}, {y:g}) nằm ngoài hình ảnh {size}; bỏ qua</translation>
    </message>
    <message>
        <source>{kind} {shape} has no area; skipped</source>
        <translation>{kind} {shape} không có diện tích; bỏ qua</translation>
    </message>
    <message>
        <source>{kind} lies outside the {size} image; skipped</source>
        <translation>{kind} nằm ngoài hình ảnh {size}; bỏ qua</translation>
    </message>
    <message>
        <source>{kind} reaches outside the {size} image; kept (it cannot be clipped)</source>
        <translation>{kind} vượt ra ngoài hình ảnh {size}; vẫn giữ (không cắt theo biên được)</translation>
    </message>
    <message>
        <source>keypoints: no point is labeled; skipped</source>
        <translation>điểm mốc: không có điểm nào được gán nhãn; bỏ qua</translation>
    </message>
    <message>
        <source>keypoints reach outside the {size} image; clamped to its border</source>
        <translation>điểm mốc vượt ra ngoài hình ảnh {size}; đã kéo về biên ảnh</translation>
    </message>
    <message>
        <source>mask is {width}x{height}, not the {size} of its image; skipped</source>
        <translation>mặt nạ có kích thước {width}x{height}, không bằng kích thước {size} của hình ảnh; bỏ qua</translation>
    </message>
    <message>
        <source>mask is empty; skipped</source>
        <translation>mặt nạ trống; bỏ qua</translation>
    </message>
    <message>
        <source>{path}: image not found</source>
        <translation>{path}: không tìm thấy hình ảnh</translation>
    </message>
    <message>
        <source>{path}: not a readable image: {error}</source>
        <translation>{path}: không phải hình ảnh đọc được: {error}</translation>
    </message>
    <message>
        <source>{reason} ({count} annotations)</source>
        <translation>{reason} ({count} chú thích)</translation>
    </message>
    <message>
        <source>{file}: {size:,} bytes is past the {limit:,}-byte limit of a file</source>
        <translation>{file}: {size:,} byte vượt quá giới hạn {limit:,} byte của một tệp</translation>
    </message>
    <message>
        <source>{file}: not valid JSON: {error}</source>
        <translation>{file}: JSON không hợp lệ: {error}</translation>
    </message>
    <message>
        <source>{file}: refused: JSON nested deeper than this program can read</source>
        <translation>{file}: từ chối: JSON lồng sâu hơn mức chương trình này đọc được</translation>
    </message>
    <message>
        <source>{file}: not valid YAML: {error}</source>
        <translation>{file}: YAML không hợp lệ: {error}</translation>
    </message>
    <message>
        <source>{file}: refused: YAML nested deeper than this program can read</source>
        <translation>{file}: từ chối: YAML lồng sâu hơn mức chương trình này đọc được</translation>
    </message>
    <message>
        <source>{file}: refused: more than {limit:,} values (an alias bomb?)</source>
        <translation>{file}: từ chối: nhiều hơn {limit:,} giá trị (có thể là bom alias?)</translation>
    </message>
    <message>
        <source>{file}: refused: nested more than {limit} levels deep</source>
        <translation>{file}: từ chối: lồng sâu hơn {limit} cấp</translation>
    </message>
    <message>
        <source>{file}: not well-formed XML: {error}</source>
        <translation>{file}: XML sai cú pháp: {error}</translation>
    </message>
    <message>
        <source>{file}: refused: the XML declares a DTD or entities ({error})</source>
        <translation>{file}: từ chối: XML khai báo DTD hoặc thực thể ({error})</translation>
    </message>
    <message>
        <source>{file}: cannot read the XML&apos;s declared encoding: {error}</source>
        <translation>{file}: không đọc được bảng mã mà XML khai báo: {error}</translation>
    </message>
    <message>
        <source>{file}: cannot read: {error}</source>
        <translation>{file}: không đọc được: {error}</translation>
    </message>
    <message>
        <source>{value} is not text</source>
        <translation>{value} không phải văn bản</translation>
    </message>
    <message>
        <source>{value} is longer than {limit:,} characters</source>
        <translation>{value} dài hơn {limit:,} ký tự</translation>
    </message>
    <message>
        <source>{value} contains a NUL character</source>
        <translation>{value} chứa ký tự NUL</translation>
    </message>
    <message>
        <source>{value} is not valid Unicode (a lone surrogate)</source>
        <translation>{value} không phải Unicode hợp lệ (có surrogate đơn lẻ)</translation>
    </message>
    <message>
        <source>the file name is empty</source>
        <translation>tên tệp trống</translation>
    </message>
    <message>
        <source>{value} contains a control character</source>
        <translation>{value} chứa ký tự điều khiển</translation>
    </message>
    <message>
        <source>{value} is longer than {limit:,} bytes</source>
        <translation>{value} dài hơn {limit:,} byte</translation>
    </message>
    <message>
        <source>{value} is longer than the {limit} bytes a file name may have</source>
        <translation>{value} dài hơn {limit} byte, mức tối đa của một tên tệp</translation>
    </message>
    <message>
        <source>{problem}; the image and its {count} annotations are skipped</source>
        <translation>{problem}; bỏ qua hình ảnh này và {count} chú thích của nó</translation>
    </message>
    <message>
        <source>{problem}; skipped</source>
        <translation>{problem}; bỏ qua</translation>
    </message>
    <message>
        <source>attribute {name}: {problem}; skipped</source>
        <translation>thuộc tính {name}: {problem}; bỏ qua</translation>
    </message>
    <message>
        <source>z order {z} is outside the 64-bit integer range; 0 is used</source>
        <translation>thứ tự z {z} nằm ngoài phạm vi số nguyên 64 bit; dùng 0</translation>
    </message>
    <message>
        <source>{item}: annotation {index}</source>
        <translation>{item}: chú thích {index}</translation>
    </message>
    <message>
        <source>{item}: track {track}</source>
        <translation>{item}: track {track}</translation>
    </message>
    <message>
        <source>label {label}: {problem}; skipped</source>
        <translation>nhãn {label}: {problem}; bỏ qua</translation>
    </message>
    <message>
        <source>group id {group} is outside the 64-bit integer range; ignored</source>
        <translation>mã nhóm {group} nằm ngoài phạm vi số nguyên 64 bit; bỏ qua</translation>
    </message>
    <message>
        <source>Audacity label tracks: one .txt per recording (start, end, label; tab-separated)</source>
        <translation>Nhãn Audacity: một tệp .txt cho mỗi bản ghi âm (đầu, cuối, nhãn; phân cách bằng tab)</translation>
    </message>
    <message>
        <source>COCO JSON: boxes, polygons, RLE masks, keypoints (a .json file, or a folder with annotations/)</source>
        <translation>COCO JSON: hộp, đa giác, mặt nạ RLE, điểm mốc (một tệp .json, hoặc một thư mục có annotations/)</translation>
    </message>
    <message>
        <source>CVAT for images 1.1 XML (annotations.xml, or a folder holding it)</source>
        <translation>CVAT cho hình ảnh 1.1 XML (annotations.xml, hoặc thư mục chứa nó)</translation>
    </message>
    <message>
        <source>CVAT for video 1.1 XML (annotations.xml of one video task, or a folder holding it)</source>
        <translation>CVAT cho video 1.1 XML (annotations.xml của một tác vụ video, hoặc thư mục chứa nó)</translation>
    </message>
    <message>
        <source>labelme JSON, one file per image (a folder, searched recursively, or one .json)</source>
        <translation>labelme JSON, một tệp cho mỗi hình (một thư mục, tìm cả thư mục con, hoặc một tệp .json)</translation>
    </message>
    <message>
        <source>Label Studio JSON export of audio tasks: labelled regions and per-region transcriptions</source>
        <translation>Bản xuất JSON của Label Studio cho tác vụ âm thanh: các vùng có nhãn và bản chép lời của từng vùng</translation>
    </message>
    <message>
        <source>MOT 1.1 (a sequence folder with gt/gt.txt and seqinfo.ini, its gt.txt, or a folder of sequences)</source>
        <translation>MOT 1.1 (một thư mục chuỗi có gt/gt.txt và seqinfo.ini, tệp gt.txt của nó, hoặc một thư mục chứa nhiều chuỗi)</translation>
    </message>
    <message>
        <source>NeMo ASR manifest (JSON lines: audio_filepath, offset, duration, text)</source>
        <translation>Tệp kê khai NeMo ASR (các dòng JSON: audio_filepath, offset, duration, text)</translation>
    </message>
    <message>
        <source>RTTM speaker turns (diarization): SPEAKER lines; one file or a folder of .rttm files</source>
        <translation>Lượt nói RTTM (phân tách người nói): các dòng SPEAKER; một tệp hoặc một thư mục tệp .rttm</translation>
    </message>
    <message>
        <source>WebVTT transcription cues, one .vtt per recording (speakers as &lt;v&gt; spans)</source>
        <translation>Đoạn chép lời WebVTT, một tệp .vtt cho mỗi bản ghi âm (người nói dưới dạng thẻ &lt;v&gt;)</translation>
    </message>
    <message>
        <source>SRT transcription cues, one .srt per recording</source>
        <translation>Đoạn chép lời SRT, một tệp .srt cho mỗi bản ghi âm</translation>
    </message>
    <message>
        <source>Praat TextGrid: interval and point tiers, long or short text form (UTF-8 or UTF-16)</source>
        <translation>Praat TextGrid: tầng khoảng và tầng điểm, dạng văn bản dài hoặc ngắn (UTF-8 hoặc UTF-16)</translation>
    </message>
    <message>
        <source>{title}: one image per frame of each video and the frames as JPEG images</source>
        <translation>{title}: một hình cho mỗi khung hình của từng video, kèm các khung hình dưới dạng ảnh JPEG</translation>
    </message>
    <message>
        <source>{title}: one image per frame of each video (labels only; {name}-images writes the frames too)</source>
        <translation>{title}: một hình cho mỗi khung hình của từng video (chỉ nhãn; {name}-images ghi cả khung hình)</translation>
    </message>
    <message>
        <source>Pascal VOC XML boxes (a VOC folder with Annotations/, a folder of .xml files, or one .xml)</source>
        <translation>Hộp Pascal VOC XML (một thư mục VOC có Annotations/, một thư mục tệp .xml, hoặc một tệp .xml)</translation>
    </message>
    <message>
        <source>YOLO (Ultralytics): {task} labels; a dataset folder or its data.yaml</source>
        <translation>YOLO (Ultralytics): nhãn {task}; một thư mục bộ dữ liệu hoặc tệp data.yaml của nó</translation>
    </message>
    <message>
        <source>YOLO (Ultralytics): detect, segment, pose or OBB labels (task from the shapes); a dataset folder or its data.yaml</source>
        <translation>YOLO (Ultralytics): nhãn detect, segment, pose hoặc OBB (loại theo các hình); một thư mục bộ dữ liệu hoặc tệp data.yaml của nó</translation>
    </message>
</context>
<context>
    <name>i18n</name>
    <message>
        <source>&amp;System</source>
        <translation>&amp;Theo hệ thống</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Ngôn ngữ</translation>
    </message>
</context>
<context>
    <name>inference</name>
    <message>
        <source>cannot read the card: {error}</source>
        <translation>không đọc được thẻ mô hình: {error}</translation>
    </message>
    <message>
        <source>YAML cards need the PyYAML package; install it or write the card as JSON</source>
        <translation>thẻ mô hình YAML cần gói PyYAML; hãy cài gói này hoặc viết thẻ mô hình bằng JSON</translation>
    </message>
    <message>
        <source>not a valid card: {error}</source>
        <translation>thẻ mô hình không hợp lệ: {error}</translation>
    </message>
    <message>
        <source>a card must be a mapping of fields (an object)</source>
        <translation>thẻ mô hình phải là một ánh xạ các trường (một object)</translation>
    </message>
    <message>
        <source>unknown field {key!r}; known fields: {known}</source>
        <translation>trường không xác định {key!r}; các trường đã biết: {known}</translation>
    </message>
    <message>
        <source>{key}: expected {expected}, got {value!r}</source>
        <translation>{key}: cần {expected}, nhận được {value!r}</translation>
    </message>
    <message>
        <source>a SAM-style model needs prompts: run it with InteractiveSegmenter</source>
        <translation>mô hình kiểu SAM cần gợi ý (prompt): hãy chạy nó bằng InteractiveSegmenter</translation>
    </message>
    <message>
        <source>the card must name the prompt decoder (&quot;decoder&quot;: file)</source>
        <translation>thẻ mô hình phải nêu bộ giải mã gợi ý (&quot;decoder&quot;: tệp)</translation>
    </message>
    <message>
        <source>the image embedding contains NaN or infinite values</source>
        <translation>vector nhúng (embedding) của hình ảnh chứa giá trị NaN hoặc vô hạn</translation>
    </message>
    <message>
        <source>the decoder&apos;s mask contains NaN or infinite values</source>
        <translation>mặt nạ của bộ giải mã chứa giá trị NaN hoặc vô hạn</translation>
    </message>
    <message>
        <source>unknown model family {name!r}; known: {known}</source>
        <translation>họ mô hình không xác định {name!r}; các họ đã biết: {known}</translation>
    </message>
    <message>
        <source> (it could be {families})</source>
        <translation> (có thể là {families})</translation>
    </message>
    <message>
        <source>cannot tell which kind of model this is from its graph{guess}: {graph}; give a card with &quot;family&quot;: one of {known}</source>
        <translation>không xác định được loại mô hình từ đồ thị của nó{guess}: {graph}; hãy cung cấp thẻ mô hình có &quot;family&quot;: một trong {known}</translation>
    </message>
    <message>
        <source>no such card file</source>
        <translation>không có tệp thẻ mô hình này</translation>
    </message>
    <message>
        <source>failed: task {task} {path}: {reason}</source>
        <translation>thất bại: tác vụ {task} {path}: {reason}</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>đã hủy</translation>
    </message>
    <message>
        <source>done</source>
        <translation>xong</translation>
    </message>
    <message>
        <source>{state}: {predicted} tasks pre-labelled with {shapes} shapes, {already} already done by this model, {failed} failed (of {tasks})</source>
        <translation>{state}: {predicted} tác vụ đã được gán nhãn trước với {shapes} hình, {already} tác vụ mô hình này đã làm trước đó, {failed} thất bại (trên tổng {tasks})</translation>
    </message>
    <message>
        <source>provider: {provider}; {speed:.1f} images/s</source>
        <translation>trình thực thi: {provider}; {speed:.1f} ảnh/giây</translation>
    </message>
    <message>
        <source>a video task, not an image: pre-label its frames with `annodesk prelabel --every K`</source>
        <translation>tác vụ video, không phải hình ảnh: hãy gán nhãn trước các khung hình của nó bằng `annodesk prelabel --every K`</translation>
    </message>
    <message>
        <source>a recording, not an image: pre-label it with an audio model (`annodesk prelabel WS --model silero_vad.onnx`)</source>
        <translation>bản ghi âm, không phải hình ảnh: hãy gán nhãn trước bằng một mô hình âm thanh (`annodesk prelabel WS --model silero_vad.onnx`)</translation>
    </message>
    <message>
        <source>a {kind} task, not an image</source>
        <translation>tác vụ {kind}, không phải hình ảnh</translation>
    </message>
    <message>
        <source>{family} models take prompts: open them with InteractiveSegmenter</source>
        <translation>mô hình {family} nhận gợi ý (prompt): hãy mở chúng bằng InteractiveSegmenter</translation>
    </message>
    <message>
        <source>input {name} has type {dtype}; an image input must be float</source>
        <translation>đầu vào {name} có kiểu {dtype}; đầu vào hình ảnh phải là số thực (float)</translation>
    </message>
    <message>
        <source>inference failed: {error}</source>
        <translation>suy luận thất bại: {error}</translation>
    </message>
    <message>
        <source>output {name} has shape {shape}, not one row per image of the batch of {batch}</source>
        <translation>đầu ra {name} có dạng {shape}, không phải mỗi hình ảnh một hàng trong mẻ gồm {batch} ảnh</translation>
    </message>
    <message>
        <source>output {name} contains NaN or infinite values</source>
        <translation>đầu ra {name} chứa giá trị NaN hoặc vô hạn</translation>
    </message>
    <message>
        <source>output does not fit the {family} layout: {error}</source>
        <translation>đầu ra không khớp với bố cục {family}: {error}</translation>
    </message>
    <message>
        <source>no such model file</source>
        <translation>không có tệp mô hình này</translation>
    </message>
    <message>
        <source>not a loadable ONNX model: {error}</source>
        <translation>không phải mô hình ONNX nạp được: {error}</translation>
    </message>
</context>
<context>
    <name>keymap</name>
    <message>
        <source>Select and edit</source>
        <translation>Chọn và sửa</translation>
    </message>
    <message>
        <source>Click to select, drag to move, drag a handle to resize; Shift+click an edge adds a vertex, Alt+click a vertex removes it</source>
        <translation>Bấm để chọn, kéo để di chuyển, kéo tay nắm để đổi kích thước; Shift+bấm vào cạnh thêm đỉnh, Alt+bấm vào đỉnh xóa đỉnh</translation>
    </message>
    <message>
        <source>Box</source>
        <translation>Hộp</translation>
    </message>
    <message>
        <source>Drag, or click two corners</source>
        <translation>Kéo, hoặc bấm hai góc</translation>
    </message>
    <message>
        <source>Polygon</source>
        <translation>Đa giác</translation>
    </message>
    <message>
        <source>Click vertices; Enter, double-click or the first vertex closes; Backspace removes the last vertex</source>
        <translation>Bấm các đỉnh; Enter, bấm đúp hoặc bấm đỉnh đầu tiên để khép; Backspace xóa đỉnh cuối</translation>
    </message>
    <message>
        <source>Rotated box</source>
        <translation>Hộp xoay</translation>
    </message>
    <message>
        <source>Drag, or click the two ends of one edge, then the height; rotate with the round handle or Ctrl+[ / Ctrl+] (Shift: 15°)</source>
        <translation>Kéo, hoặc bấm hai đầu của một cạnh rồi đến chiều cao; xoay bằng tay nắm tròn hoặc Ctrl+[ / Ctrl+] (Shift: 15°)</translation>
    </message>
    <message>
        <source>Polyline</source>
        <translation>Đường gấp khúc</translation>
    </message>
    <message>
        <source>Click vertices; Enter, N or double-click finishes</source>
        <translation>Bấm các đỉnh; Enter, N hoặc bấm đúp để kết thúc</translation>
    </message>
    <message>
        <source>Point</source>
        <translation>Điểm</translation>
    </message>
    <message>
        <source>Click to place</source>
        <translation>Bấm để đặt</translation>
    </message>
    <message>
        <source>Ellipse</source>
        <translation>Elip</translation>
    </message>
    <message>
        <source>Drag from the centre; Shift draws a circle</source>
        <translation>Kéo từ tâm; Shift vẽ hình tròn</translation>
    </message>
    <message>
        <source>Keypoints</source>
        <translation>Điểm mốc</translation>
    </message>
    <message>
        <source>Click the label&apos;s points in template order; S skips a point, Shift+click or Q marks it occluded, Enter finishes</source>
        <translation>Bấm các điểm của nhãn theo thứ tự mẫu; S bỏ qua một điểm, Shift+bấm hoặc Q đánh dấu bị che khuất, Enter kết thúc</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>Cọ vẽ</translation>
    </message>
    <message>
        <source>Paint a mask; [ and ] change the size</source>
        <translation>Tô mặt nạ; [ và ] đổi kích thước</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>Tẩy</translation>
    </message>
    <message>
        <source>Erase from the selected mask; [ and ] change the size</source>
        <translation>Tẩy khỏi mặt nạ đã chọn; [ và ] đổi kích thước</translation>
    </message>
    <message>
        <source>Segment (SAM clicks)</source>
        <translation>Phân vùng (bấm SAM)</translation>
    </message>
    <message>
        <source>Click the object (right or Shift+click excludes, drag a box); Enter keeps the mask, Backspace removes the last click, Esc drops them</source>
        <translation>Bấm vào đối tượng (chuột phải hoặc Shift+bấm để loại trừ, kéo một hộp); Enter giữ mặt nạ, Backspace xóa lần bấm cuối, Esc bỏ tất cả</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Hoàn tác</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Làm lại</translation>
    </message>
    <message>
        <source>Delete shape</source>
        <translation>Xóa hình</translation>
    </message>
    <message>
        <source>Copy shapes</source>
        <translation>Sao chép hình</translation>
    </message>
    <message>
        <source>Paste shapes</source>
        <translation>Dán hình</translation>
    </message>
    <message>
        <source>Duplicate shapes</source>
        <translation>Nhân bản hình</translation>
    </message>
    <message>
        <source>Copy shapes from the previous task</source>
        <translation>Sao chép hình từ tác vụ trước</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Nhóm</translation>
    </message>
    <message>
        <source>Ungroup</source>
        <translation>Bỏ nhóm</translation>
    </message>
    <message>
        <source>Bring to front</source>
        <translation>Đưa lên trên cùng</translation>
    </message>
    <message>
        <source>Send to back</source>
        <translation>Đưa xuống dưới cùng</translation>
    </message>
    <message>
        <source>Hide or show selected</source>
        <translation>Ẩn hoặc hiện hình đã chọn</translation>
    </message>
    <message>
        <source>Hide or show all</source>
        <translation>Ẩn hoặc hiện tất cả</translation>
    </message>
    <message>
        <source>Lock or unlock selected</source>
        <translation>Khóa hoặc mở khóa hình đã chọn</translation>
    </message>
    <message>
        <source>Locked shapes cannot be moved, edited or deleted; Shift+Delete deletes them</source>
        <translation>Hình đã khóa không thể di chuyển, sửa hay xóa; Shift+Delete sẽ xóa chúng</translation>
    </message>
    <message>
        <source>Convert to mask</source>
        <translation>Chuyển thành mặt nạ</translation>
    </message>
    <message>
        <source>Convert mask to polygons</source>
        <translation>Chuyển mặt nạ thành đa giác</translation>
    </message>
    <message>
        <source>Next task</source>
        <translation>Tác vụ sau</translation>
    </message>
    <message>
        <source>Previous task</source>
        <translation>Tác vụ trước</translation>
    </message>
    <message>
        <source>Next unfinished task</source>
        <translation>Tác vụ chưa xong tiếp theo</translation>
    </message>
    <message>
        <source>Previous unfinished task</source>
        <translation>Tác vụ chưa xong trước đó</translation>
    </message>
    <message>
        <source>D steps a frame on a video</source>
        <translation>Trên video, D chuyển một khung hình</translation>
    </message>
    <message>
        <source>Next frame</source>
        <translation>Khung hình sau</translation>
    </message>
    <message>
        <source>Previous frame</source>
        <translation>Khung hình trước</translation>
    </message>
    <message>
        <source>10 frames forward</source>
        <translation>Tiến 10 khung hình</translation>
    </message>
    <message>
        <source>10 frames back</source>
        <translation>Lùi 10 khung hình</translation>
    </message>
    <message>
        <source>First frame</source>
        <translation>Khung hình đầu</translation>
    </message>
    <message>
        <source>Last frame</source>
        <translation>Khung hình cuối</translation>
    </message>
    <message>
        <source>Go to frame…</source>
        <translation>Đến khung hình…</translation>
    </message>
    <message>
        <source>Type a frame number and press Enter</source>
        <translation>Gõ số khung hình rồi nhấn Enter</translation>
    </message>
    <message>
        <source>Play / pause</source>
        <translation>Phát / tạm dừng</translation>
    </message>
    <message>
        <source>Middle-drag pans the view of a video</source>
        <translation>Kéo chuột giữa để di chuyển khung nhìn video</translation>
    </message>
    <message>
        <source>Play faster</source>
        <translation>Phát nhanh hơn</translation>
    </message>
    <message>
        <source>0.25x to 4x; frames are skipped, never late</source>
        <translation>0,25x đến 4x; bỏ qua khung hình chứ không phát trễ</translation>
    </message>
    <message>
        <source>Play slower</source>
        <translation>Phát chậm hơn</translation>
    </message>
    <message>
        <source>Next keyframe</source>
        <translation>Khung hình khóa sau</translation>
    </message>
    <message>
        <source>Of the selected track, else of any</source>
        <translation>Của track đã chọn, nếu không thì của bất kỳ track nào</translation>
    </message>
    <message>
        <source>Previous keyframe</source>
        <translation>Khung hình khóa trước</translation>
    </message>
    <message>
        <source>Next annotated frame</source>
        <translation>Khung hình có chú thích sau</translation>
    </message>
    <message>
        <source>A keyframe of any track or a one-frame shape</source>
        <translation>Khung hình khóa của bất kỳ track nào hoặc một hình một khung</translation>
    </message>
    <message>
        <source>Previous annotated frame</source>
        <translation>Khung hình có chú thích trước</translation>
    </message>
    <message>
        <source>Toggle keyframe</source>
        <translation>Bật/tắt khung hình khóa</translation>
    </message>
    <message>
        <source>Set the selected track&apos;s shape here as a keyframe, or remove the keyframe here</source>
        <translation>Đặt hình của track đã chọn tại đây làm khung hình khóa, hoặc bỏ khung hình khóa tại đây</translation>
    </message>
    <message>
        <source>Outside from this frame</source>
        <translation>Ra ngoài từ khung hình này</translation>
    </message>
    <message>
        <source>The selected track leaves the view here, until its next keyframe</source>
        <translation>Track đã chọn rời khỏi khung nhìn tại đây, cho đến khung hình khóa tiếp theo</translation>
    </message>
    <message>
        <source>Occluded from this frame</source>
        <translation>Bị che khuất từ khung hình này</translation>
    </message>
    <message>
        <source>Split the track here</source>
        <translation>Tách track tại đây</translation>
    </message>
    <message>
        <source>The track ends here; a new track goes on from this frame</source>
        <translation>Track kết thúc tại đây; một track mới tiếp tục từ khung hình này</translation>
    </message>
    <message>
        <source>Merge the selected tracks</source>
        <translation>Gộp các track đã chọn</translation>
    </message>
    <message>
        <source>Select two or more tracks of one label (Ctrl+click); the first keeps its id</source>
        <translation>Chọn hai track trở lên cùng một nhãn (Ctrl+bấm); track đầu tiên giữ mã của nó</translation>
    </message>
    <message>
        <source>Propagate the shape…</source>
        <translation>Lan truyền hình…</translation>
    </message>
    <message>
        <source>Copy the selected track&apos;s shape here onto the next frames, as keyframes</source>
        <translation>Sao chép hình của track đã chọn tại đây sang các khung hình tiếp theo, làm khung hình khóa</translation>
    </message>
    <message>
        <source>Track the object forward</source>
        <translation>Theo dõi đối tượng về sau</translation>
    </message>
    <message>
        <source>From this frame until the tracker loses it or the video ends; Esc or Cancel stops it; each frame an automatic keyframe</source>
        <translation>Từ khung hình này đến khi bộ theo dõi mất dấu hoặc hết video; Esc hoặc Hủy để dừng; mỗi khung hình là một khung hình khóa tự động</translation>
    </message>
    <message>
        <source>Track the object backward</source>
        <translation>Theo dõi đối tượng về trước</translation>
    </message>
    <message>
        <source>Draw one-frame shapes</source>
        <translation>Vẽ hình một khung</translation>
    </message>
    <message>
        <source>Off: a drawn shape starts a track with a keyframe here; on: it exists on this frame only</source>
        <translation>Tắt: hình vừa vẽ bắt đầu một track với khung hình khóa tại đây; bật: hình chỉ có ở khung hình này</translation>
    </message>
    <message>
        <source>Mark done and go to the next unfinished task</source>
        <translation>Đánh dấu xong và sang tác vụ chưa xong tiếp theo</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Phóng to</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Thu nhỏ</translation>
    </message>
    <message>
        <source>Fit to window</source>
        <translation>Vừa cửa sổ</translation>
    </message>
    <message>
        <source>Actual size (1:1)</source>
        <translation>Kích thước thật (1:1)</translation>
    </message>
    <message>
        <source>Add images…</source>
        <translation>Thêm hình ảnh…</translation>
    </message>
    <message>
        <source>Open workspace…</source>
        <translation>Mở không gian làm việc…</translation>
    </message>
    <message>
        <source>Connect to a server…</source>
        <translation>Kết nối máy chủ…</translation>
    </message>
    <message>
        <source>Sign in, choose a project and clone it into a new workspace on this computer</source>
        <translation>Đăng nhập, chọn dự án và sao nó về một không gian làm việc mới trên máy này</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Đồng bộ ngay</translation>
    </message>
    <message>
        <source>Send the changes waiting and fetch the server&apos;s; a click on the sync state in the status bar does it too</source>
        <translation>Gửi các thay đổi đang chờ và lấy thay đổi từ máy chủ; bấm vào trạng thái đồng bộ ở thanh trạng thái cũng được</translation>
    </message>
    <message>
        <source>Sync details…</source>
        <translation>Chi tiết đồng bộ…</translation>
    </message>
    <message>
        <source>Changes waiting, the last good sync, and what went wrong in words, with what to do</source>
        <translation>Thay đổi đang chờ, lần đồng bộ thành công gần nhất, lỗi gì đã xảy ra và cần làm gì</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Đăng xuất</translation>
    </message>
    <message>
        <source>The changes waiting stay here until you sign in again</source>
        <translation>Các thay đổi đang chờ vẫn ở đây cho đến khi bạn đăng nhập lại</translation>
    </message>
    <message>
        <source>Switch user…</source>
        <translation>Đổi người dùng…</translation>
    </message>
    <message>
        <source>Sign out, then sign in as someone else</source>
        <translation>Đăng xuất rồi đăng nhập bằng tài khoản khác</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Phím tắt</translation>
    </message>
    <message>
        <source>Show guidelines</source>
        <translation>Hiện hướng dẫn</translation>
    </message>
    <message>
        <source>The project&apos;s guidelines and the current label&apos;s, with do and don&apos;t examples; they work offline</source>
        <translation>Hướng dẫn của dự án và của nhãn hiện tại, kèm ví dụ nên làm và không nên; dùng được cả khi ngoại tuyến</translation>
    </message>
    <message>
        <source>Edit labels and guidelines…</source>
        <translation>Sửa nhãn và hướng dẫn…</translation>
    </message>
    <message>
        <source>Leads: the label schema (labels, colours, attributes, keypoints, tiers) and the guidelines, saved on the server</source>
        <translation>Trưởng nhóm: lược đồ nhãn (nhãn, màu, thuộc tính, điểm mốc, tầng) và hướng dẫn, lưu trên máy chủ</translation>
    </message>
    <message>
        <source>Show review</source>
        <translation>Hiện phần duyệt</translation>
    </message>
    <message>
        <source>Open the Review dock and focus its comments and refused edits (arrow keys move, Enter goes to the shape)</source>
        <translation>Mở bảng Duyệt và chuyển đến các bình luận và chỉnh sửa bị từ chối (phím mũi tên để di chuyển, Enter đến hình)</translation>
    </message>
    <message>
        <source>Review queue</source>
        <translation>Hàng đợi duyệt</translation>
    </message>
    <message>
        <source>Leads: the submitted work waiting for a decision, a lot&apos;s sample in its drawn order</source>
        <translation>Trưởng nhóm: bài đã nộp chờ quyết định, mẫu của lô theo thứ tự đã rút</translation>
    </message>
    <message>
        <source>Accept and open the next</source>
        <translation>Chấp nhận và mở tác vụ kế</translation>
    </message>
    <message>
        <source>Leads: edits made first make it accepted after fixes, a defect of its lot</source>
        <translation>Trưởng nhóm: nếu sửa trước thì là chấp nhận sau khi sửa, tính là một lỗi của lô</translation>
    </message>
    <message>
        <source>Reject…</source>
        <translation>Từ chối…</translation>
    </message>
    <message>
        <source>Leads: with a reason the annotator sees; then the next task in the queue opens</source>
        <translation>Trưởng nhóm: kèm lý do người gán nhãn thấy được; rồi mở tác vụ kế trong hàng đợi</translation>
    </message>
    <message>
        <source>Next in the review queue</source>
        <translation>Kế tiếp trong hàng đợi duyệt</translation>
    </message>
    <message>
        <source>Previous in the review queue</source>
        <translation>Trước đó trong hàng đợi duyệt</translation>
    </message>
    <message>
        <source>Audit trail…</source>
        <translation>Nhật ký kiểm tra…</translation>
    </message>
    <message>
        <source>Leads: who did what in this project, and when (the server&apos;s audit log, newest first)</source>
        <translation>Trưởng nhóm: ai đã làm gì trong dự án này và khi nào (nhật ký của máy chủ, mới nhất trước)</translation>
    </message>
    <message>
        <source>Consensus and gold…</source>
        <translation>Đồng thuận và tác vụ chuẩn…</translation>
    </message>
    <message>
        <source>Leads: consensus and gold settings, draw consensus tasks, mark and mix gold, and each annotator&apos;s quality</source>
        <translation>Trưởng nhóm: cài đặt đồng thuận và tác vụ chuẩn, rút tác vụ đồng thuận, đánh dấu và trộn tác vụ chuẩn, cùng chất lượng của từng người gán nhãn</translation>
    </message>
    <message>
        <source>Comment…</source>
        <translation>Bình luận…</translation>
    </message>
    <message>
        <source>A new thread pinned to the selected shape, else where the pointer is; on a video also this frame, on a recording the selected range</source>
        <translation>Một chuỗi mới ghim vào hình đang chọn, nếu không thì tại vị trí con trỏ; trên video kèm khung này, trên bản ghi âm kèm đoạn đang chọn</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>Bảng số liệu</translation>
    </message>
    <message>
        <source>Leads: the project&apos;s figures from the server (throughput, reviews, corrections, lots, pre-labels), refreshed every 5 seconds while shown</source>
        <translation>Trưởng nhóm: số liệu của dự án từ máy chủ (năng suất, lượt duyệt, lượt sửa nhãn, lô, gán nhãn trước), làm mới mỗi 5 giây khi đang hiển thị</translation>
    </message>
    <message>
        <source>Pre-label this task</source>
        <translation>Gán nhãn trước tác vụ này</translation>
    </message>
    <message>
        <source>Run the model on this task; its predictions replace this model&apos;s pending ones in one undo step</source>
        <translation>Chạy mô hình trên tác vụ này; các dự đoán mới thay cho dự đoán đang chờ của mô hình này, trong một bước hoàn tác</translation>
    </message>
    <message>
        <source>Pre-label selected tasks</source>
        <translation>Gán nhãn trước các tác vụ đã chọn</translation>
    </message>
    <message>
        <source>The tasks selected in the task list, in the background</source>
        <translation>Các tác vụ đã chọn trong danh sách tác vụ, chạy nền</translation>
    </message>
    <message>
        <source>Pre-label all tasks</source>
        <translation>Gán nhãn trước mọi tác vụ</translation>
    </message>
    <message>
        <source>In the background; tasks this model has done already are skipped</source>
        <translation>Chạy nền; bỏ qua các tác vụ mô hình này đã làm</translation>
    </message>
    <message>
        <source>Choose model…</source>
        <translation>Chọn mô hình…</translation>
    </message>
    <message>
        <source>Choose segmentation model…</source>
        <translation>Chọn mô hình phân vùng…</translation>
    </message>
    <message>
        <source>Accept selected predictions</source>
        <translation>Chấp nhận dự đoán đã chọn</translation>
    </message>
    <message>
        <source>Accept all predictions on show</source>
        <translation>Chấp nhận mọi dự đoán đang hiện</translation>
    </message>
    <message>
        <source>Reject selected predictions</source>
        <translation>Từ chối dự đoán đã chọn</translation>
    </message>
    <message>
        <source>Delete does it too</source>
        <translation>Phím Delete cũng làm được</translation>
    </message>
    <message>
        <source>Label 1</source>
        <translation>Nhãn 1</translation>
    </message>
    <message>
        <source>Label 2</source>
        <translation>Nhãn 2</translation>
    </message>
    <message>
        <source>Label 3</source>
        <translation>Nhãn 3</translation>
    </message>
    <message>
        <source>Label 4</source>
        <translation>Nhãn 4</translation>
    </message>
    <message>
        <source>Label 5</source>
        <translation>Nhãn 5</translation>
    </message>
    <message>
        <source>Label 6</source>
        <translation>Nhãn 6</translation>
    </message>
    <message>
        <source>Label 7</source>
        <translation>Nhãn 7</translation>
    </message>
    <message>
        <source>Label 8</source>
        <translation>Nhãn 8</translation>
    </message>
    <message>
        <source>Label 9</source>
        <translation>Nhãn 9</translation>
    </message>
    <message>
        <source>Label 10</source>
        <translation>Nhãn 10</translation>
    </message>
    <message>
        <source>Nudge left 1 px</source>
        <translation>Dịch trái 1 px</translation>
    </message>
    <message>
        <source>Nudge right 1 px</source>
        <translation>Dịch phải 1 px</translation>
    </message>
    <message>
        <source>Nudge up 1 px</source>
        <translation>Dịch lên 1 px</translation>
    </message>
    <message>
        <source>Nudge down 1 px</source>
        <translation>Dịch xuống 1 px</translation>
    </message>
    <message>
        <source>Nudge left 10 px</source>
        <translation>Dịch trái 10 px</translation>
    </message>
    <message>
        <source>Nudge right 10 px</source>
        <translation>Dịch phải 10 px</translation>
    </message>
    <message>
        <source>Nudge up 10 px</source>
        <translation>Dịch lên 10 px</translation>
    </message>
    <message>
        <source>Nudge down 10 px</source>
        <translation>Dịch xuống 10 px</translation>
    </message>
    <message>
        <source>Select the next shape</source>
        <translation>Chọn hình sau</translation>
    </message>
    <message>
        <source>In drawing order</source>
        <translation>Theo thứ tự vẽ</translation>
    </message>
    <message>
        <source>Select the previous shape</source>
        <translation>Chọn hình trước</translation>
    </message>
    <message>
        <source>Rotate left 1°</source>
        <translation>Xoay trái 1°</translation>
    </message>
    <message>
        <source>Rotated boxes and ellipses</source>
        <translation>Hộp xoay và elip</translation>
    </message>
    <message>
        <source>Rotate right 1°</source>
        <translation>Xoay phải 1°</translation>
    </message>
    <message>
        <source>Rotate left 15°</source>
        <translation>Xoay trái 15°</translation>
    </message>
    <message>
        <source>Rotate right 15°</source>
        <translation>Xoay phải 15°</translation>
    </message>
    <message>
        <source>Delete shapes, locked ones too</source>
        <translation>Xóa hình, kể cả hình đã khóa</translation>
    </message>
    <message>
        <source>Finish the shape</source>
        <translation>Hoàn tất hình</translation>
    </message>
    <message>
        <source>Polygon, polyline and keypoints; the segment tool keeps its mask</source>
        <translation>Đa giác, đường gấp khúc và điểm mốc; công cụ phân vùng giữ mặt nạ của nó</translation>
    </message>
    <message>
        <source>Remove the last point</source>
        <translation>Xóa điểm cuối</translation>
    </message>
    <message>
        <source>Of the shape being drawn, or the last SAM click; with the select tool, the vertex under the pointer</source>
        <translation>Của hình đang vẽ, hoặc lần bấm SAM cuối; với công cụ chọn, đỉnh dưới con trỏ</translation>
    </message>
    <message>
        <source>Undo the last point</source>
        <translation>Hoàn tác điểm cuối</translation>
    </message>
    <message>
        <source>While drawing; otherwise Undo has the key</source>
        <translation>Khi đang vẽ; nếu không thì phím này là Hoàn tác</translation>
    </message>
    <message>
        <source>Cancel drawing, else clear the selection</source>
        <translation>Hủy vẽ, nếu không thì bỏ chọn</translation>
    </message>
    <message>
        <source>Skip the next keypoint</source>
        <translation>Bỏ qua điểm mốc tiếp theo</translation>
    </message>
    <message>
        <source>Not in the picture</source>
        <translation>Không có trong ảnh</translation>
    </message>
    <message>
        <source>Occluded on or off</source>
        <translation>Bật/tắt bị che khuất</translation>
    </message>
    <message>
        <source>The keypoint just placed, or (select tool) the keypoint under the pointer</source>
        <translation>Điểm mốc vừa đặt, hoặc (công cụ chọn) điểm mốc dưới con trỏ</translation>
    </message>
    <message>
        <source>Smaller brush</source>
        <translation>Cọ nhỏ hơn</translation>
    </message>
    <message>
        <source>Bigger brush</source>
        <translation>Cọ lớn hơn</translation>
    </message>
    <message>
        <source>Play the selection</source>
        <translation>Phát vùng chọn</translation>
    </message>
    <message>
        <source>The dragged range, else the selected segment; looped when Loop is on</source>
        <translation>Đoạn đã kéo chọn, nếu không thì phân đoạn đã chọn; phát lặp khi bật Lặp</translation>
    </message>
    <message>
        <source>Loop on or off</source>
        <translation>Bật/tắt lặp</translation>
    </message>
    <message>
        <source>0.5x to 2x, pitch kept</source>
        <translation>0,5x đến 2x, giữ nguyên cao độ</translation>
    </message>
    <message>
        <source>Segment from the selection</source>
        <translation>Tạo phân đoạn từ vùng chọn</translation>
    </message>
    <message>
        <source>Or drag on a tier&apos;s lane; a digit after dragging a range makes a segment of that label</source>
        <translation>Hoặc kéo trên làn của một tầng; nhấn số sau khi kéo chọn sẽ tạo phân đoạn mang nhãn đó</translation>
    </message>
    <message>
        <source>Mark at the playhead</source>
        <translation>Đánh dấu tại đầu phát</translation>
    </message>
    <message>
        <source>Press at the start and again at the end while listening: a segment of the current label</source>
        <translation>Nhấn ở điểm đầu và nhấn lại ở điểm cuối khi đang nghe: một phân đoạn mang nhãn hiện tại</translation>
    </message>
    <message>
        <source>Split at the playhead</source>
        <translation>Tách tại đầu phát</translation>
    </message>
    <message>
        <source>Merge the selected segments</source>
        <translation>Gộp các phân đoạn đã chọn</translation>
    </message>
    <message>
        <source>Select them with Ctrl+click</source>
        <translation>Chọn chúng bằng Ctrl+bấm</translation>
    </message>
    <message>
        <source>Next segment</source>
        <translation>Phân đoạn sau</translation>
    </message>
    <message>
        <source>On the current tier</source>
        <translation>Trên tầng hiện tại</translation>
    </message>
    <message>
        <source>Previous segment</source>
        <translation>Phân đoạn trước</translation>
    </message>
    <message>
        <source>1 second forward</source>
        <translation>Tiến 1 giây</translation>
    </message>
    <message>
        <source>1 second back</source>
        <translation>Lùi 1 giây</translation>
    </message>
    <message>
        <source>10 seconds forward</source>
        <translation>Tiến 10 giây</translation>
    </message>
    <message>
        <source>10 seconds back</source>
        <translation>Lùi 10 giây</translation>
    </message>
    <message>
        <source>Go to the start</source>
        <translation>Về đầu</translation>
    </message>
    <message>
        <source>Go to the end</source>
        <translation>Đến cuối</translation>
    </message>
    <message>
        <source>Zoom to the selection</source>
        <translation>Phóng to vùng chọn</translation>
    </message>
    <message>
        <source>Ctrl+F shows the whole recording; the wheel zooms down to single samples</source>
        <translation>Ctrl+F hiện toàn bộ bản ghi âm; con lăn phóng to đến từng mẫu</translation>
    </message>
    <message>
        <source>Next tier</source>
        <translation>Tầng sau</translation>
    </message>
    <message>
        <source>Previous tier</source>
        <translation>Tầng trước</translation>
    </message>
    <message>
        <source>Edit the transcription</source>
        <translation>Sửa bản chép lời</translation>
    </message>
    <message>
        <source>Of the selected segment; Enter goes back to the waveform</source>
        <translation>Của phân đoạn đã chọn; Enter quay lại dạng sóng</translation>
    </message>
    <message>
        <source>Waveform, spectrogram or both</source>
        <translation>Dạng sóng, phổ đồ hoặc cả hai</translation>
    </message>
</context>
<context>
    <name>media</name>
    <message>
        <source>cannot read: {error}</source>
        <translation>không đọc được: {error}</translation>
    </message>
    <message>
        <source>cannot decode: {reason}</source>
        <translation>không giải mã được: {reason}</translation>
    </message>
    <message>
        <source>empty file (0 bytes)</source>
        <translation>tệp trống (0 byte)</translation>
    </message>
    <message>
        <source>not a regular file (a pipe, device or folder)</source>
        <translation>không phải tệp thông thường (là pipe, thiết bị hoặc thư mục)</translation>
    </message>
    <message>
        <source>{name} {value} is past the limit of {limit} pixels a side</source>
        <translation>{name} {value} vượt quá giới hạn {limit} điểm ảnh mỗi cạnh</translation>
    </message>
    <message>
        <source>{width_name} x {height_name} {width} x {height} ({mp:,.0f} MP) is past the limit of {limit:.1f} GP (2^34 pixels)</source>
        <translation>{width_name} x {height_name} {width} x {height} ({mp:,.0f} MP) vượt quá giới hạn {limit:.1f} GP (2^34 điểm ảnh)</translation>
    </message>
    <message>
        <source>not an image file, or a format that cannot be read</source>
        <translation>không phải tệp hình ảnh, hoặc là định dạng không đọc được</translation>
    </message>
    <message>
        <source>corrupt or truncated image: {reason}</source>
        <translation>hình ảnh bị hỏng hoặc bị cắt cụt: {reason}</translation>
    </message>
    <message>
        <source>corrupt or truncated image: {data:,} bytes of pixel data cannot hold {pixels:,} pixels</source>
        <translation>hình ảnh bị hỏng hoặc bị cắt cụt: {data:,} byte dữ liệu điểm ảnh không thể chứa {pixels:,} điểm ảnh</translation>
    </message>
    <message>
        <source>cannot read the TIFF structure: {error}</source>
        <translation>không đọc được cấu trúc TIFF: {error}</translation>
    </message>
    <message>
        <source>corrupt or truncated image: its tiles or strips run past the end of the file</source>
        <translation>hình ảnh bị hỏng hoặc bị cắt cụt: các ô (tile) hoặc dải (strip) của nó vượt quá cuối tệp</translation>
    </message>
    <message>
        <source>cannot decode: not an image, or corrupt or truncated</source>
        <translation>không giải mã được: không phải hình ảnh, hoặc bị hỏng hay bị cắt cụt</translation>
    </message>
</context>
<context>
    <name>panels</name>
    <message>
        <source>The new keys work now, but could not be saved: {0}</source>
        <translation>Phím mới đã có hiệu lực nhưng không lưu được: {0}</translation>
    </message>
</context>
<context>
    <name>quality_report</name>
    <message>
        <source>Annotator</source>
        <translation>Người gán nhãn</translation>
    </message>
    <message>
        <source>Consensus tasks</source>
        <translation>Tác vụ đồng thuận</translation>
    </message>
    <message>
        <source>Consensus agreement</source>
        <translation>Mức nhất trí đồng thuận</translation>
    </message>
    <message>
        <source>Gold tasks</source>
        <translation>Tác vụ chuẩn</translation>
    </message>
    <message>
        <source>Gold accuracy</source>
        <translation>Độ chính xác so với chuẩn</translation>
    </message>
    <message>
        <source>Reviewed</source>
        <translation>Đã duyệt</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Đã chấp nhận</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Bị từ chối</translation>
    </message>
    <message>
        <source>Fixed</source>
        <translation>Đã sửa</translation>
    </message>
</context>
<context>
    <name>refusals</name>
    <message>
        <source>your role does not allow this in this project</source>
        <translation>vai trò của bạn không được phép làm việc này trong dự án này</translation>
    </message>
    <message>
        <source>only a lead of this project may do this</source>
        <translation>chỉ trưởng nhóm của dự án này mới được làm việc này</translation>
    </message>
    <message>
        <source>the server does not have it (removed, or never sent)</source>
        <translation>máy chủ không có mục này (đã bị xóa hoặc chưa từng được gửi lên)</translation>
    </message>
    <message>
        <source>you are not signed in</source>
        <translation>bạn chưa đăng nhập</translation>
    </message>
    <message>
        <source>your sign-in has ended</source>
        <translation>phiên đăng nhập của bạn đã hết</translation>
    </message>
    <message>
        <source>an administrator revoked this device</source>
        <translation>quản trị viên đã thu hồi thiết bị này</translation>
    </message>
    <message>
        <source>too many tries: wait a little and try again</source>
        <translation>thử quá nhiều lần: hãy đợi một lúc rồi thử lại</translation>
    </message>
    <message>
        <source>the task is not at a step where this can be done (someone else may have acted on it first)</source>
        <translation>tác vụ không ở bước có thể làm việc này (có thể người khác đã xử lý nó trước)</translation>
    </message>
    <message>
        <source>the task has not been accepted yet</source>
        <translation>tác vụ chưa được chấp nhận</translation>
    </message>
    <message>
        <source>this task is a copy given for consensus or gold; act on its original</source>
        <translation>tác vụ này là bản sao dùng cho đồng thuận hoặc tác vụ chuẩn; hãy thao tác trên bản gốc</translation>
    </message>
    <message>
        <source>this annotator already holds a copy of the task</source>
        <translation>người gán nhãn này đã có một bản sao của tác vụ</translation>
    </message>
    <message>
        <source>it belongs to another task</source>
        <translation>mục này thuộc về tác vụ khác</translation>
    </message>
    <message>
        <source>someone saved newer guidelines meanwhile: reload them first</source>
        <translation>trong lúc đó có người đã lưu hướng dẫn mới hơn: hãy tải lại trước</translation>
    </message>
    <message>
        <source>the media file changed on the server</source>
        <translation>tệp phương tiện đã thay đổi trên máy chủ</translation>
    </message>
    <message>
        <source>the server cannot reach its media storage right now</source>
        <translation>máy chủ hiện không truy cập được kho lưu trữ phương tiện</translation>
    </message>
    <message>
        <source>a file arrived damaged; it is sent again</source>
        <translation>một tệp đến nơi bị hỏng; tệp sẽ được gửi lại</translation>
    </message>
    <message>
        <source>a file it needs has not been uploaded</source>
        <translation>một tệp cần thiết chưa được tải lên</translation>
    </message>
    <message>
        <source>one with this name exists already</source>
        <translation>đã có một mục trùng tên</translation>
    </message>
    <message>
        <source>the password is too weak</source>
        <translation>mật khẩu quá yếu</translation>
    </message>
    <message>
        <source>this device is registered to another user</source>
        <translation>thiết bị này đã được đăng ký cho người dùng khác</translation>
    </message>
    <message>
        <source>another workspace of this computer synced in between; syncing again fixes it</source>
        <translation>một không gian làm việc khác trên máy này đã đồng bộ xen vào; đồng bộ lại sẽ khắc phục</translation>
    </message>
    <message>
        <source>{meaning} ({detail})</source>
        <translation>{meaning} ({detail})</translation>
    </message>
</context>
<context>
    <name>sampling</name>
    <message>
        <source>lot {key} rejected: {defects} defects in a sample of {n} (Re {re})</source>
        <translation>lô {key} bị từ chối: {defects} lỗi trong mẫu gồm {n} (Re {re})</translation>
    </message>
</context>
<context>
    <name>sync</name>
    <message>
        <source>recording</source>
        <translation>bản ghi âm</translation>
    </message>
    <message>
        <source>a synced {what} is read from the encrypted media cache: unlock the workspace first</source>
        <translation>{what} đã đồng bộ được đọc từ bộ nhớ đệm dữ liệu đã mã hóa: hãy mở khóa không gian làm việc trước</translation>
    </message>
    <message>
        <source>{what} not downloaded yet: waiting for sync</source>
        <translation>{what} chưa được tải về: đang chờ đồng bộ</translation>
    </message>
    <message>
        <source>{folder} is not a server&apos;s workspace: its schema is saved to no server</source>
        <translation>{folder} không phải không gian làm việc của máy chủ: lược đồ của nó không được lưu lên máy chủ nào</translation>
    </message>
    <message>
        <source>the schema on the server is version {version}, newer than this workspace&apos;s {known}: sync first, then edit it again</source>
        <translation>lược đồ trên máy chủ là phiên bản {version}, mới hơn phiên bản {known} của không gian làm việc này: hãy đồng bộ trước rồi sửa lại</translation>
    </message>
    <message>
        <source>{path} changed since it was picked; pick it again</source>
        <translation>{path} đã thay đổi kể từ lúc được chọn; hãy chọn lại</translation>
    </message>
    <message>
        <source>server refused ({status} {code}): {detail}</source>
        <translation>máy chủ từ chối ({status} {code}): {detail}</translation>
    </message>
    <message>
        <source>server refused ({status} {code}): {meaning} ({detail})</source>
        <translation>máy chủ từ chối ({status} {code}): {meaning} ({detail})</translation>
    </message>
    <message>
        <source>cannot reach {server}: {error}</source>
        <translation>không kết nối được {server}: {error}</translation>
    </message>
    <message>
        <source>image not downloaded yet; run annodesk sync</source>
        <translation>hình ảnh chưa được tải về; hãy chạy annodesk sync</translation>
    </message>
    <message>
        <source>video</source>
        <translation>video</translation>
    </message>
    <message>
        <source>this device was revoked by an administrator; run: {login} (a new device key then sends the changes waiting here)</source>
        <translation>thiết bị này đã bị quản trị viên thu hồi; hãy chạy: {login} (khi đó một khóa thiết bị mới sẽ gửi các thay đổi đang chờ ở đây)</translation>
    </message>
    <message>
        <source>the login has expired or was revoked; run: {login}</source>
        <translation>phiên đăng nhập đã hết hạn hoặc bị thu hồi; hãy chạy: {login}</translation>
    </message>
</context>
<context>
    <name>sync_details</name>
    <message>
        <source>1 change waiting</source>
        <translation>1 thay đổi đang chờ</translation>
    </message>
    <message>
        <source>{0} changes waiting</source>
        <translation>{0} thay đổi đang chờ</translation>
    </message>
    <message>
        <source>no changes waiting</source>
        <translation>không có thay đổi nào đang chờ</translation>
    </message>
    <message>
        <source>Offline · {0}</source>
        <translation>Ngoại tuyến · {0}</translation>
    </message>
    <message>
        <source>Syncing… · {0}</source>
        <translation>Đang đồng bộ… · {0}</translation>
    </message>
    <message>
        <source>Up to date</source>
        <translation>Đã cập nhật</translation>
    </message>
    <message>
        <source>Sync error: {0}</source>
        <translation>Lỗi đồng bộ: {0}</translation>
    </message>
    <message>
        <source> · {0} refused</source>
        <translation> · {0} bị từ chối</translation>
    </message>
    <message>
        <source>The 1 change waiting here is kept.</source>
        <translation>1 thay đổi đang chờ ở đây vẫn được giữ.</translation>
    </message>
    <message>
        <source>The {0} here are kept.</source>
        <translation>{0} ở đây vẫn được giữ.</translation>
    </message>
    <message>
        <source>Sign in again as {0}; the changes waiting here are sent then.</source>
        <translation>Đăng nhập lại với tên {0}; khi đó các thay đổi đang chờ ở đây sẽ được gửi đi.</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Ngoại tuyến</translation>
    </message>
    <message>
        <source>Cannot reach the server</source>
        <translation>Không kết nối được máy chủ</translation>
    </message>
    <message>
        <source>{0} did not answer: this computer is offline, or the server is down.</source>
        <translation>{0} không phản hồi: máy tính này đang ngoại tuyến, hoặc máy chủ đang ngừng.</translation>
    </message>
    <message>
        <source>Keep working: every edit is saved on this computer and goes up by itself once the server answers (the app tries again every minute). Sync now tries at once.</source>
        <translation>Cứ tiếp tục làm việc: mọi chỉnh sửa được lưu trên máy này và tự gửi lên khi máy chủ phản hồi (ứng dụng thử lại mỗi phút). Đồng bộ ngay sẽ thử lập tức.</translation>
    </message>
    <message>
        <source>Device revoked</source>
        <translation>Thiết bị bị thu hồi</translation>
    </message>
    <message>
        <source>This device was revoked</source>
        <translation>Thiết bị này đã bị thu hồi</translation>
    </message>
    <message>
        <source>An administrator stopped this computer from syncing as {0} (a lost or replaced laptop is the usual reason). {1}</source>
        <translation>Quản trị viên đã chặn máy tính này đồng bộ với tên {0} (thường do mất hoặc thay máy). {1}</translation>
    </message>
    <message>
        <source>Sign in again: this computer then gets a new device key, which sends the changes waiting here. If you did not expect this, ask your team lead first.</source>
        <translation>Hãy đăng nhập lại: máy tính này sẽ nhận khóa thiết bị mới và gửi các thay đổi đang chờ ở đây. Nếu bạn không ngờ tới việc này, hãy hỏi trưởng nhóm trước.</translation>
    </message>
    <message>
        <source>Sign-in ended</source>
        <translation>Phiên đăng nhập đã hết</translation>
    </message>
    <message>
        <source>Your sign-in has ended</source>
        <translation>Phiên đăng nhập của bạn đã kết thúc</translation>
    </message>
    <message>
        <source>The server no longer accepts this computer&apos;s sign-in for {0}: it expired, or it was ended on the server. {1}</source>
        <translation>Máy chủ không còn chấp nhận phiên đăng nhập của máy này cho {0}: phiên đã hết hạn hoặc bị kết thúc trên máy chủ. {1}</translation>
    </message>
    <message>
        <source>Signed out</source>
        <translation>Đã đăng xuất</translation>
    </message>
    <message>
        <source>You are signed out</source>
        <translation>Bạn đã đăng xuất</translation>
    </message>
    <message>
        <source>This computer holds no sign-in for {0} on {1}. {2}</source>
        <translation>Máy tính này không có phiên đăng nhập nào cho {0} trên {1}. {2}</translation>
    </message>
    <message>
        <source>Sync refused</source>
        <translation>Đồng bộ bị từ chối</translation>
    </message>
    <message>
        <source>The server refused the last sync</source>
        <translation>Máy chủ đã từ chối lần đồng bộ gần nhất</translation>
    </message>
    <message>
        <source>It answered: {0}</source>
        <translation>Máy chủ trả lời: {0}</translation>
    </message>
    <message>
        <source>Your changes stay on this computer. Try Sync now; if the server keeps refusing, tell your team lead what it answered.</source>
        <translation>Các thay đổi của bạn vẫn ở trên máy này. Hãy thử Đồng bộ ngay; nếu máy chủ vẫn từ chối, hãy báo trưởng nhóm nội dung máy chủ trả lời.</translation>
    </message>
    <message>
        <source>Sync error</source>
        <translation>Lỗi đồng bộ</translation>
    </message>
    <message>
        <source>Sync failed</source>
        <translation>Đồng bộ thất bại</translation>
    </message>
    <message>
        <source>The last round stopped with an error.</source>
        <translation>Lượt đồng bộ gần nhất dừng vì lỗi.</translation>
    </message>
    <message>
        <source>The app tries again by itself. If this stays, tell your team lead what it says.</source>
        <translation>Ứng dụng sẽ tự thử lại. Nếu lỗi vẫn còn, hãy báo trưởng nhóm nội dung lỗi.</translation>
    </message>
    <message>
        <source>Some files could not be synced</source>
        <translation>Một số tệp không đồng bộ được</translation>
    </message>
    <message>
        <source>They are tried again in the next round; the other tasks can be worked on meanwhile.</source>
        <translation>Chúng sẽ được thử lại ở lượt sau; trong lúc đó vẫn làm được các tác vụ khác.</translation>
    </message>
    <message>
        <source>{0} of your edits were not kept</source>
        <translation>{0} chỉnh sửa của bạn không được giữ</translation>
    </message>
    <message>
        <source>The server kept other values: a reviewer&apos;s, or the task was already submitted or accepted.</source>
        <translation>Máy chủ giữ giá trị khác: của người duyệt, hoặc tác vụ đã được nộp hay đã được chấp nhận.</translation>
    </message>
    <message>
        <source>The Review dock (Ctrl+Alt+R) lists each one with its reason, on its task.</source>
        <translation>Bảng Duyệt (Ctrl+Alt+R) liệt kê từng chỉnh sửa cùng lý do, trên tác vụ của nó.</translation>
    </message>
    <message>
        <source>never</source>
        <translation>chưa bao giờ</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>vừa xong</translation>
    </message>
    <message>
        <source>{0} min ago</source>
        <translation>{0} phút trước</translation>
    </message>
    <message>
        <source>{0} h ago</source>
        <translation>{0} giờ trước</translation>
    </message>
    <message>
        <source>{0} days ago</source>
        <translation>{0} ngày trước</translation>
    </message>
</context>
<context>
    <name>task_list</name>
    <message>
        <source>new</source>
        <translation>mới</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>đang làm</translation>
    </message>
    <message>
        <source>done</source>
        <translation>xong</translation>
    </message>
    <message>
        <source>error</source>
        <translation>lỗi</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Error: {0}</source>
        <translation>Lỗi: {0}</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tất cả</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Mới</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>Đang làm</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Xong</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Lỗi</translation>
    </message>
</context>
<context>
    <name>theme</name>
    <message>
        <source>&amp;System</source>
        <translation>&amp;Theo hệ thống</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>S&amp;áng</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>T&amp;ối</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>&amp;Giao diện</translation>
    </message>
</context>
<context>
    <name>tracking</name>
    <message>
        <source>the video ends</source>
        <translation>video đã hết</translation>
    </message>
    <message>
        <source>lost the object on frame {frame}</source>
        <translation>mất dấu đối tượng ở khung hình {frame}</translation>
    </message>
</context>
<context>
    <name>transfer</name>
    <message>
        <source>imported {annotations} annotations on {matched} of {items} images ({added} images added, {duplicates} already present, {skipped} skipped)</source>
        <translation>đã nhập {annotations} chú thích trên {matched}/{items} hình ảnh (thêm {added} hình ảnh, {duplicates} đã có sẵn, bỏ qua {skipped})</translation>
    </message>
    <message>
        <source>no image or video of the file is in the workspace or beside the file; nothing changed</source>
        <translation>không có hình ảnh hay video nào của tệp nằm trong không gian làm việc hoặc bên cạnh tệp; không có gì thay đổi</translation>
    </message>
    <message>
        <source>{count} annotations were already in the workspace (same label and shape); not added again</source>
        <translation>{count} chú thích đã có trong không gian làm việc (cùng nhãn và hình); không thêm lại</translation>
    </message>
    <message>
        <source>{item}: annotation {index}: label {label!r} does not allow {kind} shapes</source>
        <translation>{item}: chú thích {index}: nhãn {label!r} không cho phép hình {kind}</translation>
    </message>
    <message>
        <source>{item}: annotation {index}: frame {frame} is past the video&apos;s {frames} frames; skipped</source>
        <translation>{item}: chú thích {index}: khung {frame} vượt quá {frames} khung hình của video; bỏ qua</translation>
    </message>
    <message>
        <source>{item}: track {track}: label {label!r} does not allow {kind} shapes</source>
        <translation>{item}: track {track}: nhãn {label!r} không cho phép hình {kind}</translation>
    </message>
    <message>
        <source>{item}: track {track}: {count} keyframes past the video&apos;s {frames} frames; skipped</source>
        <translation>{item}: track {track}: {count} khung hình khóa vượt quá {frames} khung hình của video; bỏ qua</translation>
    </message>
    <message>
        <source>{item}: file name points outside the dataset folder; not read</source>
        <translation>{item}: tên tệp trỏ ra ngoài thư mục bộ dữ liệu; không đọc</translation>
    </message>
    <message>
        <source>{item}: {kind} not in the workspace (adding media is off)</source>
        <translation>{item}: {kind} không có trong không gian làm việc (đang tắt thêm dữ liệu)</translation>
    </message>
    <message>
        <source>{item}: {kind} not in the workspace and not found beside the annotation file</source>
        <translation>{item}: {kind} không có trong không gian làm việc và không tìm thấy bên cạnh tệp chú thích</translation>
    </message>
    <message>
        <source>{count} items of the file are not on the selected tasks; left out</source>
        <translation>{count} mục của tệp không thuộc các tác vụ đã chọn; không đưa vào</translation>
    </message>
    <message>
        <source>{item}: {media} could not be added to the workspace</source>
        <translation>{item}: không thêm được {media} vào không gian làm việc</translation>
    </message>
    <message>
        <source>{item}: {problem}; its {count} annotations are skipped</source>
        <translation>{item}: {problem}; bỏ qua {count} chú thích của nó</translation>
    </message>
    <message>
        <source>the {kind} {path} cannot be read ({error})</source>
        <translation>không đọc được {kind} {path} ({error})</translation>
    </message>
    <message>
        <source>the file describes {described} but {path} is {kind}</source>
        <translation>tệp mô tả {described} nhưng {path} là {kind}</translation>
    </message>
    <message>
        <source>the file says {width}x{height} but the image {path} is {task_width}x{task_height}</source>
        <translation>tệp ghi {width}x{height} nhưng hình ảnh {path} có kích thước {task_width}x{task_height}</translation>
    </message>
    <message>
        <source>an image</source>
        <translation>một hình ảnh</translation>
    </message>
    <message>
        <source>a video</source>
        <translation>một video</translation>
    </message>
    <message>
        <source>a recording</source>
        <translation>một bản ghi âm</translation>
    </message>
    <message>
        <source>a {kind} item</source>
        <translation>một mục {kind}</translation>
    </message>
    <message>
        <source>labels added to the schema: {labels}</source>
        <translation>nhãn đã thêm vào lược đồ: {labels}</translation>
    </message>
    <message>
        <source>tiers added to the schema: {tiers}</source>
        <translation>tầng đã thêm vào lược đồ: {tiers}</translation>
    </message>
    <message>
        <source>attribute {name!r} of label {label!r} is not in the schema; dropped</source>
        <translation>thuộc tính {name!r} của nhãn {label!r} không có trong lược đồ; đã loại bỏ</translation>
    </message>
    <message>
        <source>label {label!r}: {error}; the default is used</source>
        <translation>nhãn {label!r}: {error}; dùng giá trị mặc định</translation>
    </message>
    <message>
        <source>{count} consensus or gold copies of other tasks left out (their work is in the tasks they copy)</source>
        <translation>{count} bản sao đồng thuận hoặc bản sao chuẩn của tác vụ khác không được đưa vào (phần việc của chúng nằm trong các tác vụ gốc)</translation>
    </message>
    <message>
        <source>{count} {kind} tasks left out ({format} holds {kinds} tasks)</source>
        <translation>{count} tác vụ {kind} không được đưa vào ({format} chứa tác vụ {kinds})</translation>
    </message>
    <message>
        <source>{problem}; left out</source>
        <translation>{problem}; không đưa vào</translation>
    </message>
</context>
<context>
    <name>video</name>
    <message>
        <source>Frame {0}: {1}</source>
        <translation>Khung hình {0}: {1}</translation>
    </message>
    <message>
        <source>No frames that way</source>
        <translation>Không còn khung hình nào theo hướng đó</translation>
    </message>
    <message>
        <source>Tracking failed: {0}</source>
        <translation>Theo dõi thất bại: {0}</translation>
    </message>
    <message>
        <source>Tracked to frame {0}</source>
        <translation>Đã theo dõi đến khung hình {0}</translation>
    </message>
    <message>
        <source>No annotated frame that way</source>
        <translation>Không còn khung hình có chú thích nào theo hướng đó</translation>
    </message>
</context>
<context>
    <name>welcome</name>
    <message>
        <source>{0} is not an Annodesk workspace (it has no {1}): choose the folder that Annodesk made.</source>
        <translation>{0} không phải không gian làm việc Annodesk (không có {1}): hãy chọn thư mục mà Annodesk đã tạo.</translation>
    </message>
    <message>
        <source>{0} is not a folder</source>
        <translation>{0} không phải thư mục</translation>
    </message>
    <message>
        <source>{0} has no images, videos or recordings (nor any in its folders)</source>
        <translation>{0} không có hình ảnh, video hay bản ghi âm nào (kể cả trong các thư mục con)</translation>
    </message>
</context>
<context>
    <name>workspace</name>
    <message>
        <source>{folder}: no workspace here ({file} is missing)</source>
        <translation>{folder}: không có không gian làm việc ở đây (thiếu {file})</translation>
    </message>
    <message>
        <source>{file}: not an Annodesk workspace: {error}</source>
        <translation>{file}: không phải không gian làm việc Annodesk: {error}</translation>
    </message>
    <message>
        <source>{file}: written by a newer Annodesk (schema version {version}, this one reads up to {supported}); update Annodesk to open it</source>
        <translation>{file}: được ghi bởi phiên bản Annodesk mới hơn (lược đồ phiên bản {version}, bản này chỉ đọc được đến {supported}); hãy cập nhật Annodesk để mở</translation>
    </message>
    <message>
        <source>{file}: not an Annodesk workspace (no workspace metadata)</source>
        <translation>{file}: không phải không gian làm việc Annodesk (không có siêu dữ liệu không gian làm việc)</translation>
    </message>
    <message>
        <source>{file}: the workspace is encrypted and no key is available; log in (annodesk login) or unlock it with its passphrase</source>
        <translation>{file}: không gian làm việc đã được mã hóa và không có khóa; hãy đăng nhập (annodesk login) hoặc mở khóa bằng cụm mật khẩu của nó</translation>
    </message>
    <message>
        <source>{folder}: a workspace already exists here</source>
        <translation>{folder}: ở đây đã có một không gian làm việc</translation>
    </message>
    <message>
        <source>{file}: cannot open: {error}</source>
        <translation>{file}: không mở được: {error}</translation>
    </message>
    <message>
        <source>{folder}: opened read-only</source>
        <translation>{folder}: đã mở ở chế độ chỉ đọc</translation>
    </message>
    <message>
        <source>task {task}: an annotation was changed elsewhere (its stored revision is not older); reload the task</source>
        <translation>tác vụ {task}: một chú thích đã bị thay đổi ở nơi khác (bản sửa đổi đã lưu không cũ hơn); hãy tải lại tác vụ</translation>
    </message>
    <message>
        <source>nothing imported: no task {task} in {folder}</source>
        <translation>chưa nhập gì: không có tác vụ {task} trong {folder}</translation>
    </message>
    <message>
        <source>nothing imported: {error}</source>
        <translation>chưa nhập gì: {error}</translation>
    </message>
    <message>
        <source>nothing imported: annotation {index} of the batch breaks {error} (an id that is already stored)</source>
        <translation>chưa nhập gì: chú thích {index} của mẻ vi phạm {error} (một mã đã được lưu)</translation>
    </message>
    <message>
        <source>{file}: meta.schema: {error}</source>
        <translation>{file}: meta.schema: {error}</translation>
    </message>
</context>
</TS>
