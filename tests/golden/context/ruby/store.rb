# Golden file for the ruby queries: markers in tests/golden/annotated.py

require "json" # {{IMPORT json}}
require_relative "store/item" # {{IMPORT store/item}}

MAX_ITEMS = 10 # {{DEF constant MAX_ITEMS}}

# {{TEST method in nested modules}}
module App # {{CONTEXT}} {{DEF module App}}
  module Storage # {{CONTEXT}} {{DEF module Storage}}
    class Store < Base # {{CONTEXT}} {{DEF class Store}} {{REF type Base}}
      include Enumerable # {{REF type Enumerable}}
      LIMIT = 5 # {{DEF constant LIMIT}}

      def initialize(name) # {{DEF method initialize}}
        @name = name
      end

      def self.build(*args) = new(*args) # {{DEF method build}}

      def find(id) # {{CONTEXT}} {{DEF method find}}
        # {{CURSOR}}
        items.detect { |item| item.id == id } # {{REF call detect}}
      end
    end
  end
end

# {{TEST do block in a method}}
class App::Report # {{CONTEXT}} {{DEF class Report}}
  def render(rows) # {{CONTEXT}} {{DEF method render}}
    rows.each do |row| # {{CONTEXT}} {{REF call each}}
      puts JSON.generate(row) # {{CURSOR}} {{REF call puts}} {{REF call generate}} {{REF type JSON}}
    end
  end

  class << self
    def helper; end # {{DEF method helper}}
  end
end

# {{TEST spec blocks}}
describe App::Storage::Store do # {{CONTEXT}}
  it "finds items" do # {{CONTEXT}}
    expect(App::Storage::Store.build.find(1)).to be_nil # {{CURSOR}} {{REF call expect}}
  end
end

# {{TEST method with an empty body}}
class Draft # {{CONTEXT}} {{DEF class Draft}}
  def publish(at) # {{CONTEXT}} {{DEF method publish}}
    # {{CURSOR}}
  end
end
