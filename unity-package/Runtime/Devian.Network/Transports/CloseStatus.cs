using System.Text;

namespace Devian.Network.Transports
{
    /// <summary>Close codes (RFC 6455 §7.4) and the checks applied before a close is sent.</summary>
    public static class CloseStatus
    {
        /// <summary>1000: normal closure.</summary>
        public const ushort NormalClosure = 1000;
        /// <summary>1001: the endpoint is going away (used by Dispose).</summary>
        public const ushort GoingAway = 1001;
        /// <summary>1006: reserved; reported locally when the connection dropped without a close frame.</summary>
        public const ushort AbnormalClosure = 1006;

        /// <summary>Largest close reason in UTF-8 bytes: a control frame carries at most 125 bytes (RFC 6455 §5.5), 2 of them the code.</summary>
        public const int MaxReasonBytes = 123;

        /// <summary>
        /// Whether an endpoint may send <paramref name="code"/> in a Close frame (RFC 6455 §7.4.1/§7.4.2):
        /// 1000-1003 and 1007-1014 (IANA registered), or 3000-4999 (libraries and applications).
        /// 1004 is reserved, and 1005, 1006 and 1015 must never be sent on the wire.
        /// </summary>
        public static bool IsSendable(ushort code)
        {
            if (code >= 3000 && code <= 4999)
            {
                return true;
            }
            return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
        }

        /// <summary>Whether <paramref name="reason"/> fits in a Close frame as UTF-8.</summary>
        public static bool IsReasonValid(string reason)
        {
            return reason == null || Encoding.UTF8.GetByteCount(reason) <= MaxReasonBytes;
        }
    }
}
