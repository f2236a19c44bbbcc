using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Platform.Webhook.Admission;

namespace Platform.Webhook.Tests.Admission;

/// <summary>The scanner must accept exactly what <see cref="Utf8JsonReader"/> (default options) accepts in
/// UTF-8 text: a body it lets through unvalidated would be answered instead of refused with 400, and one it
/// refuses wrongly would turn a valid pod away. Checked on edge cases by hand and on thousands of random
/// corruptions of a real AdmissionReview against the reader as the independent reference.</summary>
public class JsonScannerTests
{
    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData(" \t\r\n{ \"a\" : [ 1 , -0 , 0.5 , -1.25e+10 , 2E-3 , 1e5 ] , \"b\" : { } } \n")]
    [InlineData("\"text with \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00\"")]
    [InlineData("\"lone surrogate escapes are grammar: \\ud800\"")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("-0.0e0")]
    [InlineData("[true,false,null,\"\",{},[],0]")]
    [InlineData("{\"ünïcödé\":\"日本語 😀\"}")]
    [InlineData("{\"a\":1,\"a\":2}")]
    public void Valid_IsAccepted(string json) => AssertAgreesWithReader(Encoding.UTF8.GetBytes(json), expectValid: true);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1,]")]
    [InlineData("[,1]")]
    [InlineData("{\"a\" 1}")]
    [InlineData("{a:1}")]
    [InlineData("{'a':1}")]
    [InlineData("[01]")]
    [InlineData("[1.]")]
    [InlineData("[.5]")]
    [InlineData("[1e]")]
    [InlineData("[1e+]")]
    [InlineData("[-]")]
    [InlineData("[+1]")]
    [InlineData("[1 2]")]
    [InlineData("[tru]")]
    [InlineData("[nulll]")]
    [InlineData("[True]")]
    [InlineData("\"unterminated")]
    [InlineData("\"bad escape \\x\"")]
    [InlineData("\"short unicode \\u12\"")]
    [InlineData("\"raw\ttab\"")]
    [InlineData("\"raw\nnewline\"")]
    [InlineData("{} {}")]
    [InlineData("{}x")]
    [InlineData("/* comment */ {}")]
    [InlineData("[1]]")]
    [InlineData("{\"a\":1}}")]
    [InlineData("\u00a0{}")]
    public void Invalid_IsRefused(string json) => AssertAgreesWithReader(Encoding.UTF8.GetBytes(json), expectValid: false);

    [Fact]
    public void InvalidUtf8_IsRefused()
    {
        byte[] json = [(byte)'"', 0xC3, 0x28, (byte)'"'];

        var e = Assert.Throws<JsonException>(() => Scan(json));

        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void Depth_IsLimitedLikeTheReader(int depth, bool valid)
    {
        var json = Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth));
        AssertAgreesWithReader(json, valid);

        var objects = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "{}" + new string('}', depth - 1));
        AssertAgreesWithReader(objects, valid);
    }

    [Fact]
    public void Error_NamesTheByteOffset()
    {
        var e = Assert.Throws<JsonException>(() => Scan("{\"a\":1,}"u8.ToArray()));

        Assert.Contains("at byte 7", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SkipValue_ReturnsWhereTheValueStartsAndEndsAfterIt()
    {
        var json = "{\"skip\": [1, {\"x\": \"}\"}], \"keep\": \"v\"}"u8;
        var scanner = new JsonScanner(json);
        scanner.EnterObject();
        var first = true;

        Assert.True(scanner.NextProperty(ref first, out var name));
        Assert.True(name.Is("skip"u8));
        var start = scanner.SkipValue();
        Assert.Equal("[1, {\"x\": \"}\"}]", Encoding.UTF8.GetString(json[start..scanner.Position]));
        Assert.True(scanner.NextProperty(ref first, out name));
        Assert.True(name.Is("keep"u8));
        Assert.Equal("v", scanner.StringOrNull());
        Assert.False(scanner.NextProperty(ref first, out _));
        scanner.EnsureEnd();
    }

    [Theory]
    [InlineData("{\"na\\u006de\":\"x\"}", "name", true)]
    [InlineData("{\"name\":\"x\"}", "nam", false)]
    [InlineData("{\"n\\\"\":\"x\"}", "n\"", true)]
    public void PropertyName_ComparesDecodedText(string json, string expected, bool equal)
    {
        var scanner = new JsonScanner(Encoding.UTF8.GetBytes(json));
        scanner.EnterObject();
        var first = true;
        scanner.NextProperty(ref first, out var name);

        Assert.Equal(equal, name.Is(Encoding.UTF8.GetBytes(expected)));
    }

    [Fact]
    public void StringOrNull_DecodesEscapes_AndReadsOtherValuesAsNull()
    {
        var scanner = new JsonScanner("[\"a\\u00e9\\n\", 5, {\"x\":1}]"u8);
        scanner.EnterArray();
        var first = true;

        Assert.True(scanner.NextElement(ref first));
        Assert.Equal("aé\n", scanner.StringOrNull());
        Assert.True(scanner.NextElement(ref first));
        Assert.Null(scanner.StringOrNull());
        Assert.True(scanner.NextElement(ref first));
        Assert.Null(scanner.StringOrNull());
        Assert.False(scanner.NextElement(ref first));
    }

    /// <summary>Random single and double corruptions of a recorded AdmissionReview, in compact and indented
    /// form: bytes deleted, replaced or inserted from JSON's own alphabet, so most results are near misses
    /// (a comma too many, a quote gone, a digit in a literal) rather than noise.</summary>
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void RandomCorruptions_AgreeWithTheReader(int seed, bool indented)
    {
        var review = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Hosting", "Pods", "gpu-worker-admission-review.json"));
        var original = indented ? review : Compact(review);
        var random = new Random(seed);
        var alphabet = "{}[]:,\"\\ \n-+.0123456789eEtrufalsn/x\t"u8.ToArray();
        var invalid = 0;
        for (var i = 0; i < 4000; i++)
        {
            var bytes = new List<byte>(original);
            for (var edits = random.Next(1, 3); edits > 0; edits--)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(3))
                {
                    case 0:
                        bytes.RemoveAt(at);
                        break;
                    case 1:
                        bytes[at] = alphabet[random.Next(alphabet.Length)];
                        break;
                    default:
                        bytes.Insert(at, alphabet[random.Next(alphabet.Length)]);
                        break;
                }
            }

            var json = bytes.ToArray();
            var valid = ReaderAccepts(json);
            invalid += valid ? 0 : 1;
            AssertAgreesWithReader(json, valid);
        }

        // The corpus must exercise both answers, or the agreement proves little.
        Assert.InRange(invalid, 1000, 3990);
    }

    private static void AssertAgreesWithReader(byte[] json, bool expectValid)
    {
        Assert.Equal(expectValid, ReaderAccepts(json));
        var scannerError = Record.Exception(() => Scan(json));
        if (expectValid)
        {
            Assert.Null(scannerError);
        }
        else
        {
            Assert.IsType<JsonException>(scannerError);
        }

        // The same verdict through the handler's reading of a review: 400 "not valid JSON" exactly when invalid.
        var parseError = Record.Exception(() => AdmissionRequest.Parse(json));
        var notJson = parseError is BadAdmissionRequestException e && e.Message.Contains("not valid JSON", StringComparison.Ordinal);
        Assert.True(expectValid != notJson, $"AdmissionRequest.Parse: {parseError?.Message ?? "no error"} for {Encoding.UTF8.GetString(json)}");
    }

    private static void Scan(byte[] json)
    {
        var scanner = new JsonScanner(json);
        scanner.SkipValue();
        scanner.EnsureEnd();
    }

    private static bool ReaderAccepts(byte[] json)
    {
        if (!Utf8.IsValid(json))
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            while (reader.Read())
            {
            }

            return reader.BytesConsumed == json.Length || json.AsSpan((int)reader.BytesConsumed).Trim(" \t\r\n"u8).IsEmpty
                ? reader.TokenType != JsonTokenType.None
                : false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static byte[] Compact(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonSerializer.SerializeToUtf8Bytes(document.RootElement);
    }
}
